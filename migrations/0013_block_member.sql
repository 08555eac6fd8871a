-- A company block keeps its member's id, sealed, so that `kohtaamo rotate-key` can derive the
-- block's tag again under the new key even when nothing else about the member is kept.
ALTER TABLE company_blocks ADD COLUMN member_enc BLOB;
