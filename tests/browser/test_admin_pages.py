"""The admins' pages in headless Debian Chromium: in the NLU inbox an admin marks a place in
a misunderstood message by selecting it and pressing "Phường, xã", picks the intent and saves;
the models page shows the history with the comparison. Only our web server runs."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.modelops import registry
from bot.review.labels import REVIEWED
from tests.browser.test_console import CHROMIUM, signed_in
from tests.browser.test_webchat import ARTIFACTS, CHROMIUM_ARGS
from tests.helpers.console import running_console
from tests.helpers.staff import use_cheap_hashing
from tests.modelops.test_checking import ACTIVE
from tests.web.test_console_admin import LOOK_ALIKE, add_tracker_rows, fake_model

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="BROWSER TEST SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)"),
]
PLACE = "phường Kim Liên"


async def test_admin_labels_with_a_marked_place_and_reads_the_models(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.async_api import async_playwright

    use_cheap_hashing(monkeypatch)
    ARTIFACTS.mkdir(exist_ok=True)
    async with running_console(tmp_path) as console, async_playwright() as playwright:
        add_tracker_rows(console)
        history = tmp_path / "models" / "history"
        old = await registry.register(console.db, history, fake_model(tmp_path / "a"), registry.BUILD)
        new = await registry.register(console.db, history, fake_model(tmp_path / "b"), registry.CONSOLE, "quantri")
        await registry.record_activation(console.db, old.id, registry.BOOTSTRAP, None)
        await registry.set_figures(console.db, old.id, ACTIVE)
        await registry.set_figures(console.db, new.id, replace(ACTIVE, intent_no_diacritics=0.95))
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            admin = await signed_in(browser, console.url, "admin", "quantri")
            async with admin.page.expect_navigation():
                await admin.page.click("[data-testid=nav-review]")
            group = admin.page.locator(f"[data-testid=review-group][data-text='{LOOK_ALIKE}']")
            example = group.locator("[data-testid=label-example]")
            start = LOOK_ALIKE.index(PLACE)
            await example.evaluate("(input, [a, b]) => input.setSelectionRange(a, b)", [start, start + len(PLACE)])
            await group.locator("button[data-entity=ward]").click()
            assert await example.input_value() == LOOK_ALIKE.replace(PLACE, f"[{PLACE}](ward)")
            await group.locator("[data-testid=label-intent]").select_option("report_other")
            await admin.shot(1, "review-marked")
            async with admin.page.expect_navigation():
                await group.locator("[data-testid=label-submit]").click()
            assert "Đã lưu nhãn" in await admin.page.inner_text("[data-testid=flash]")
            reviewed = (tmp_path / "data" / "nlu" / REVIEWED).read_text(encoding="utf-8")
            assert f"[{PLACE}](ward)" in reviewed

            async with admin.page.expect_navigation():
                await admin.page.click("[data-testid=nav-models]")
            assert await admin.page.locator(f"tr[data-version='{old.id}'] [data-testid=active-badge]").count() == 1
            verdict = await admin.page.inner_text("[data-testid=verdict]")
            assert "Không kém hơn" in verdict
            assert await admin.page.locator(f"[data-testid=activate-{new.id}]").count() == 1
            await admin.shot(2, "models")
            assert admin.errors == []
        finally:
            await browser.close()
