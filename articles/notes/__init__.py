"""Notes: anchoring, editing services and the W3C export."""
