from together_batches import Together

client = Together()

cancelled_job = client.batches.cancel_batch("batch-abc123")
print(f"Job status after cancel request: {cancelled_job.status}")
