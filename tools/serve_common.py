"""Shared by tools/browser_test.py and tools/load_serve.py: start `serlab serve --port 0` on loopback,
read the URL it prints, stop it by its pid; and build what it serves (a run and its bundle)."""
import os
import re
import signal
import subprocess
import sys
import threading
import time


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


class Server:
    """`serlab serve` in the background; `url` is the address it printed once listening."""

    def __init__(self, serlab, models, results, extra=()):
        command = [serlab, "serve", "--models", models, "--results", results, "--port", "0", *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.url = None
        found = threading.Event()

        def read():
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                match = re.search(r"^serlab serve: listening on (http://\S+)", line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60) or not self.url:
            self.stop()
            fail("serlab serve printed no 'listening on' line within 60 s:\n" + "\n".join(self.lines))
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            fail(f"expected the server on loopback, it says {self.url}")

    @property
    def pid(self):
        return self.process.pid

    def peak_rss_mib(self):
        """The server's peak resident memory so far (VmHWM), in MiB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(serlab, work):
    """A results folder with two runs of configs/ci/ci_mlp_savee.json (15 epochs with --save-models, and
    3 epochs) and a models folder with the first's bundle, under `work` (kept from an earlier call when the bundle is there). Returns (models,
    results, bundle name)."""
    results, models = os.path.join(work, "results"), os.path.join(work, "models")
    if os.path.exists(os.path.join(models, "ci_mlp_savee.serlab")) and os.path.exists(os.path.join(results, "ci_mlp_savee", "served-3-epochs", "metrics.json")):
        return models, results, "ci_mlp_savee.serlab"
    os.makedirs(models, exist_ok=True)
    run([serlab, "run", "configs/ci/ci_mlp_savee.json", "--save-models", "--results", results, "--run-id", "served",
         "--cache", os.path.join(work, "cache")])
    # A weaker second run on the same folds, so the comparison has a pair to test.
    run([serlab, "run", "configs/ci/ci_mlp_savee.json", "--set", "training.epochs=3", "--results", results, "--run-id", "served-3-epochs",
         "--cache", os.path.join(work, "cache")])
    run([serlab, "bundle", os.path.join(results, "ci_mlp_savee", "served"), "--output", os.path.join(models, "ci_mlp_savee.serlab")])
    return models, results, "ci_mlp_savee.serlab"


def corpus(*parts):
    root = os.environ.get("SERLAB_CORPORA")
    if not root:
        fail("SERLAB_CORPORA is not set (the folder holding ravdess/, savee/, tess/)")
    path = os.path.join(root, *parts)
    if not os.path.exists(path):
        fail(f"test corpus file missing: {path}")
    return path


def wait_until(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    fail(f"timed out after {seconds} s waiting for {what}")
