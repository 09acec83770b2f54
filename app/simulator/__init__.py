"""Payment-terminal simulator (SPEC §4): engine (no Qt, no sockets), TCP
server speaking the link protocol, control interface, optional Qt window.

Run it with ``python -m app.simulator --profile usenpay --port 9201``.
"""
