-- A rated charge no longer carries its explanation as JSON (written with every charge, read by no code):
-- rating is deterministic, so what a charge needs to be priced again is stored in two compact columns
-- beside the ones it had, and `billing charges explain USAGE_ID` computes the breakdown (parts, connect
-- fee, raw cost, minimum, cap, rounding) with the catalogue version it was rated with.
--   time_band         the timing in force at the event's start (its rate gave connect fee, minimum, cap, rounding)
--   allowance_before  what allowance_id had left before the event: the one engine input neither the usage
--                     record nor the catalogue holds (0 when no allowance was used)
--
-- Charges rated before this keep their band, read from the explanation's first part (a zero-quantity
-- event has none: null); their balance is unknown (null) and `charges explain` gives them what they used,
-- which the engine consumes exactly as it did (it consumes min(balance, billed quantity)). The JSON itself
-- is dropped rather than kept: nothing in it cannot be computed again, and a column no charge writes any
-- more would only mislead.
ALTER TABLE rated_charges ADD COLUMN time_band text, ADD COLUMN allowance_before bigint;
UPDATE rated_charges SET time_band = explanation::jsonb #>> '{parts,0,3}';
ALTER TABLE rated_charges DROP COLUMN explanation;
