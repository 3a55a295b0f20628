"""together-batches."""
