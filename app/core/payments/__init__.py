"""Terminal payments and refunds, exactly once: the coordinator that owns every open
terminal request (issue 9, 16; SPEC §5, §10). No Qt here."""
