import time

from together_batches import Together

client = Together()
batch_job_id = "batch-abc123"

while True:
    batch_job = client.batches.get_batch(batch_job_id)
    print(f"Status: {batch_job.status}, Progress: {batch_job.progress:.1%}")

    if batch_job.status == "COMPLETED":
        print(f"Output file ID: {batch_job.output_file_id}")
        break
    elif batch_job.status in ("FAILED", "EXPIRED", "CANCELLED"):
        print(f"Job ended with status: {batch_job.status}")
        if batch_job.error:
            print(f"Error: {batch_job.error}")
        break

    time.sleep(60)  # Poll every 60 seconds
