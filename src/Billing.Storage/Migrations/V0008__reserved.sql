-- Reserved: V0007 and V0008 belong to work merged separately. This placeholder keeps the numbering
-- gapless on the documents branch; delete it when the real V0008 is merged.
SELECT 1;
