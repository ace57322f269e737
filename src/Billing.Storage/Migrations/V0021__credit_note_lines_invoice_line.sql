-- The invoice line a credit note line credits in full (`credit-note --line N`), so that a line is credited once: a second
-- note for it would give the customer the line twice. Null for a credit by amount. Notes issued before this column credit
-- lines the new check does not know of.
ALTER TABLE credit_note_lines ADD COLUMN invoice_line_no int;
