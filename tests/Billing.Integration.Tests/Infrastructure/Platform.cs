// These tests drive PostgreSQL's server binaries, runuser, psql and POSIX signals: Linux only
// (as the embedded cluster itself). Declared so that Unix-only APIs (file modes) need no guard.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
