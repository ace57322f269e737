-- An issued invoice whose total is negative (credit adjustments beyond its charges) is money the customer is owed,
-- as a credit note beyond its invoice is: it is allocated to the account's other invoices like one, and each such
-- allocation names that invoice as its source. Without it the credit counted in the balance but settled nothing,
-- so the next invoice stayed outstanding — and dunned — for money its amount due had already taken off.
ALTER TABLE allocations ADD COLUMN credit_invoice_id bigint REFERENCES invoices (id);
ALTER TABLE allocations DROP CONSTRAINT allocations_one_source;
ALTER TABLE allocations ADD CONSTRAINT allocations_one_source CHECK (num_nonnulls(payment_id, credit_note_id, credit_invoice_id) = 1);
