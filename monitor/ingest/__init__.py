"""Feed -> entries: poll (conditional GET), parse (pure), schedule (pure), cycle (the job)."""
