"""The flow as jobs. Each claims its input from the database with a lease, does its work, and writes
its output together with the next job's input in one transaction; a failure on one item is recorded
on that item (attempts, last error, final after `[jobs] max_attempts`) and the job goes on.

    poll     due feeds          -> conditional GET -> parse -> new entries       (ingest.cycle)
    content  new entries        -> fetch page -> extract -> articles, no story  (jobs.content)
    stories  unplaced articles  -> duplicate keys -> vectors -> story, marked to match (jobs.stories)
    match    stories to match   -> watchlists -> matches + outbox rows           (jobs.match)
    deliver  due outbox rows    -> email / chat / webhook                        (alerts.deliver)

`jobs.pipeline` builds the jobs' contexts and runs them in order until none has work (`monitor once`);
the daemon (`service.daemon`) runs each on its own tick.
"""
