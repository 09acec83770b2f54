def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds or installs Regi (tens of seconds); runs in the default suite")
