"""The product's rules. Plain types in and out; no Discord here."""
