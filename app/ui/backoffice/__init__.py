"""The back office (SPEC §8): the sections of SettingsScreen beyond the terminal — 店舗情報,
プリンター, 会計設定, スタッフ, 商品. Each is a ``SettingsPage`` in the screen's page stack."""
