#!/usr/bin/env python3
"""The browser test of `serlab serve` (issue 12), in headless Chromium through chromedriver (Debian's
chromium and chromium-driver, selenium from PyPI): as a person would use the app.

  python3 tools/browser_test.py --serlab .build/release/serlab --screenshots DIR [--work DIR]

Trains nothing big: two runs of configs/ci/ci_mlp_savee.json (one with --save-models) and a
bundle, made in --work. Starts `serlab serve --port 0` on loopback and reads the URL it prints;
uploads a SAVEE file and checks the label shown equals `serlab predict`'s; uploads a text file named
.wav and checks the server's 422 message shows in its card (the one console error allowed); records
about 10 s through Chromium's fake microphone (a TESS file) and checks the live strip fills and a
prediction with its segment timeline appears; opens the experiments table, sorts, filters, compares
the two runs (paired tests) and opens a report. Fails on any other console error (level SEVERE) and
on anything missing (never skips). Saves a screenshot after each step; stops the server by its pid.
"""
import argparse
import array
import json
import os
import struct
import shutil
import sys
import tempfile
import time
import urllib.request
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Server, corpus, fail, prepare, run, wait_until  # noqa: E402

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    fail("selenium is not installed (pip install selenium; scripts/browser-test makes a venv with it)")


def wav_from_aiff(source, destination):
    """Chromium's fake microphone plays WAV only, and the TESS files are AIFF whatever their name says:
    the same 16-bit samples, little-endian, in a WAV file (chunks COMM and SSND of an uncompressed AIFF)."""
    with open(source, "rb") as handle:
        data = handle.read()
    if data[:4] != b"FORM" or data[8:12] not in (b"AIFF", b"AIFC"):
        fail(f"{source}: expected an AIFF file, found {data[:12]!r}")
    chunks, position = {}, 12
    while position + 8 <= len(data):
        kind, size = data[position:position + 4], struct.unpack(">I", data[position + 4:position + 8])[0]
        chunks[kind] = data[position + 8:position + 8 + size]
        position += 8 + size + (size & 1)
    channels, _, bits = struct.unpack(">hIh", chunks[b"COMM"][:8])
    exponent, mantissa = struct.unpack(">HQ", chunks[b"COMM"][8:18])  # 80-bit extended sample rate
    rate = round(mantissa * 2.0 ** (exponent - 16383 - 63))
    if bits != 16:
        fail(f"{source}: expected 16-bit AIFF, found {bits}-bit")
    offset = struct.unpack(">I", chunks[b"SSND"][:4])[0]
    samples = array.array("h", chunks[b"SSND"][8 + offset:])
    if sys.byteorder == "little":
        samples.byteswap()
    with wave.open(destination, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def browser(fake_audio):
    binary = shutil.which("chromium") or fail("chromium not found (apt-get install -y chromium)")
    driver_binary = shutil.which("chromedriver") or fail("chromedriver not found (apt-get install -y chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--disable-dev-shm-usage",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={fake_audio}", "--autoplay-policy=no-user-gesture-required"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_binary), options=options)


class ConsoleWatch:
    """Collects the browser console after each step; any SEVERE entry fails the test at the end."""

    def __init__(self, driver):
        self.driver, self.errors = driver, []

    def check(self, step, expected=None):
        """`expected`: the one SEVERE entry this step must produce (the browser logs every 4xx answer)."""
        seen = False
        for entry in self.driver.get_log("browser"):
            print(f"  console [{entry['level']}] {entry['message']}")
            if entry["level"] == "SEVERE" and expected and expected in entry["message"] and not seen:
                seen = True
            elif entry["level"] == "SEVERE":
                self.errors.append(f"{step}: {entry['message']}")
        if expected and not seen:
            self.errors.append(f"{step}: expected a console entry containing '{expected}', found none")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serlab", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--work", help="where the run, bundle and cache go (default: a temporary folder, removed)")
    args = parser.parse_args()
    serlab = os.path.abspath(args.serlab)
    if not os.access(serlab, os.X_OK):
        fail(f"{serlab}: no serlab executable (build it first)")
    os.makedirs(args.screenshots, exist_ok=True)
    work = args.work or tempfile.mkdtemp(prefix="serlab-browser-")
    upload = corpus("savee", "AudioData", "DC", "a01.flac")
    fake = os.path.join(work, "fake-microphone.wav")
    wav_from_aiff(corpus("tess", "TESS Toronto emotional speech set data", "YAF_angry", "YAF_germ_angry.wav"), fake)

    models, results, bundle = prepare(serlab, work)
    expected = run([serlab, "predict", os.path.join(models, bundle), upload]).strip().splitlines()[-1]
    expected_label = expected.split(": ", 1)[1].split()[0]
    print(f"serlab predict: {expected}")

    server = Server(serlab, models, results)
    print(f"server pid {server.pid} at {server.url}")
    driver = None
    try:
        driver = browser(fake)
        console = ConsoleWatch(driver)
        shot = lambda name: driver.save_screenshot(os.path.join(args.screenshots, name))  # noqa: E731

        # Predict: upload a corpus file, compare with serlab predict.
        driver.get(server.url)
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, f"#bundle option[value='{bundle}']"), 30, "the bundle list")
        driver.find_element(By.ID, "file-input").send_keys(upload)
        card = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#results .card[data-state]"), 60, "the upload's prediction")[0]
        if card.get_attribute("data-state") != "done":
            fail(f"the upload was not predicted: {card.text}")
        shown = card.find_element(By.CSS_SELECTOR, ".label").text
        bars = card.find_elements(By.CSS_SELECTOR, ".bars .fill")
        print(f"page shows '{shown}' with {len(bars)} bars; serlab predict says '{expected_label}'")
        if shown != expected_label:
            fail(f"the page shows '{shown}', serlab predict says '{expected_label}'")
        if not bars or not card.find_elements(By.CSS_SELECTOR, ".wave canvas") or not card.find_elements(By.CSS_SELECTOR, "button.play"):
            fail("the prediction card lacks its bars, waveform or play button")
        shot("predict-upload.png")
        console.check("upload")

        # A file that is not audio: the server's 422 message appears in its card, and the page goes on.
        bad = os.path.join(work, "not-audio.wav")
        with open(bad, "w") as handle:
            handle.write("not audio at all")
        driver.find_element(By.ID, "file-input").send_keys(bad)
        wait_until(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#results .card[data-state]")) >= 2, 60, "the bad file's answer")
        refused = driver.find_elements(By.CSS_SELECTOR, "#results .card")[0]
        message = refused.find_element(By.CSS_SELECTOR, ".error").text if refused.get_attribute("data-state") == "error" else ""
        print(f"not-audio.wav: {message}")
        if "not-audio.wav: expected an audio file" not in message:
            fail(f"expected the server's message about not-audio.wav in its card, found '{refused.text}'")
        shot("predict-refused.png")
        console.check("refused upload", expected="status of 422")

        # Record through the fake microphone: the live strip fills, then the recording is predicted.
        driver.find_element(By.ID, "record").click()
        wait_until(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#live-strip span[title]")) >= 2, 30, "two live predictions")
        live = driver.find_elements(By.CSS_SELECTOR, "#live-strip span")
        print(f"live strip: {[mark.get_attribute('title') for mark in live]}")
        shot("predict-live.png")
        time.sleep(7)  # about 10 s in all: long enough for the segment timeline (from 8 s)
        driver.find_element(By.ID, "record").click()
        wait_until(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#results .card[data-state]")) >= 3, 60, "the recording's prediction")
        peak = float(driver.find_element(By.ID, "record-status").get_attribute("data-peak") or 0)
        print(f"recording status: {driver.find_element(By.ID, 'record-status').text}")
        if peak < 0.01:
            fail(f"the fake microphone's recording is silent (peak {peak}); Chromium could not play {fake}")
        recorded = driver.find_elements(By.CSS_SELECTOR, "#results .card")[0]
        if recorded.get_attribute("data-state") != "done":
            fail(f"the recording was not predicted: {recorded.text}")
        print(f"recording: {recorded.find_element(By.TAG_NAME, 'h3').text} -> {recorded.find_element(By.CSS_SELECTOR, '.label').text}")
        segments = recorded.find_elements(By.CSS_SELECTOR, ".timeline svg")
        if not segments:
            fail("the 10 s recording shows no segment timeline")
        print(f"recording timeline: {recorded.find_elements(By.CSS_SELECTOR, 'p.muted')[-1].text}")
        failed = driver.find_elements(By.CSS_SELECTOR, "#live-strip span.failed")
        if failed:
            fail(f"{len(failed)} live predictions failed: {failed[0].get_attribute('title')}")
        shot("predict-record.png")
        console.check("record")

        # Experiments: table, sort, filter, compare, report.
        driver.get(server.url + "experiments")
        rows = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#runs tbody tr"), 30, "the runs table")
        print(f"runs table: {[row.get_attribute('data-run') for row in rows]}")
        driver.find_element(By.CSS_SELECTOR, "#runs th[data-key='uar']").click()
        driver.find_element(By.ID, "filter").send_keys("savee")
        rows = driver.find_elements(By.CSS_SELECTOR, "#runs tbody tr")
        order = [row.get_attribute("data-run") for row in rows]
        with urllib.request.urlopen(server.url + "api/runs") as response:
            listed = json.load(response)["runs"]
        expected_order = [run["id"] for run in sorted(listed, key=lambda run: -run["uar"]) if "savee" in run["id"]]
        print(f"filtered on 'savee', sorted by UAR (descending): {order}")
        if order != expected_order or len(order) != 2:
            fail(f"expected the two savee runs by falling UAR {expected_order}, found {order}")
        for row in rows:
            row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
        driver.find_element(By.ID, "compare").click()
        pairs = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#comparison table.pairs tr"), 30, "the paired tests")
        print(f"paired tests: {[row.text for row in pairs]}")
        shot("experiments.png")
        console.check("experiments")
        report = rows[0].find_element(By.LINK_TEXT, "report").get_attribute("href")
        driver.get(report)
        wait_until(lambda: "ci_mlp_savee" in driver.page_source, 30, "the report")
        shot("report.png")
        console.check("report")
        if console.errors:
            fail("console errors:\n" + "\n".join(console.errors))
        print(f"browser test passed; screenshots in {args.screenshots}")
    finally:
        if driver:
            driver.quit()
        server.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
