-- A run planned again after some of its invoices were issued: its new batches hold only the accounts still to issue, so a
-- render job of the earlier plan, still queued, finds other accounts under its batch number than those its approval issued.
-- Set, such a run's render jobs also render its issued invoices that are in no batch and have no PDF yet.
ALTER TABLE bill_runs ADD COLUMN planned_after_issue boolean NOT NULL DEFAULT false;
