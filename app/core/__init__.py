"""Domain core: money, cart, ledger, terminal link, printing. Never imports Qt."""
