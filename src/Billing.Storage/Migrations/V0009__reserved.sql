-- Reserved: V0008 and V0009 belong to work merged separately (documents, and another branch). This
-- placeholder keeps the numbering gapless on the dunning branch; delete it when the real V0009 is merged.
SELECT 1;
