-- An invoice's itemised annex lists its cycle's charges and the late ones it bills. With one join condition for both
-- ("this cycle and not late, or late and billed here") PostgreSQL could narrow the charges by subscription only, so
-- every render read each subscriber's charges of every cycle so far: the annex cost grew with the months of history.
-- The annex now reads the two apart — the cycle's by (subscription_id, cycle_start) on rated_charges_cycle, the late
-- ones by the invoice that bills them on this index (late charges are few, so it is small).
CREATE INDEX rated_charges_late_billed ON rated_charges (invoice_id) WHERE late;
