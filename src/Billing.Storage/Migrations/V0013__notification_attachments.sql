-- A message may carry a document as attachment (a dunning letter's PDF with its final-notice e-mail):
-- the document named by (kind, number), recorded in the same transaction before the message.
ALTER TABLE notifications
    ADD COLUMN attachment_kind   text,
    ADD COLUMN attachment_number text,
    ADD CONSTRAINT notifications_attachment_whole CHECK ((attachment_kind IS NULL) = (attachment_number IS NULL)),
    ADD CONSTRAINT notifications_attachment_document FOREIGN KEY (attachment_kind, attachment_number) REFERENCES documents (kind, number);
