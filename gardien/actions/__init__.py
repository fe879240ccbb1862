"""Actions act: each do_* function changes state in one transaction and writes its audit entry;
what must happen on a channel goes through the outbox."""
