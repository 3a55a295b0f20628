from together_batches import Together

client = Together()

jobs = client.batches.list_batches()
for job in jobs:
    print(f"Job {job.id}: status={job.status}, progress={job.progress:.1%}")
