#!/usr/bin/env python3
"""Load test of `serlab serve` on loopback (issue 12): N predictions of one corpus file from C
concurrent clients, each on its own keep-alive connection. Prints requests per second, p50/p99
latency, the server's peak RSS (VmHWM) and the failed count; exits 1 when any request failed.

  SERLAB_CORPORA=... python3 tools/load_serve.py --serlab .build/release/serlab [--count 200] [--clients 8]
      [--work DIR (keeps the run and bundle it makes; reused when present)] [--file AUDIO]

Bounded in count and time: every request has a 120 s timeout.
"""
import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Server, corpus, fail, prepare  # noqa: E402


def multipart(filename, data):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serlab", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--work")
    parser.add_argument("--file")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="serlab-load-")
    models, results, bundle = prepare(os.path.abspath(args.serlab), work)
    path = args.file or corpus("savee", "AudioData", "DC", "a01.flac")
    with open(path, "rb") as handle:
        body, content_type = multipart(os.path.basename(path), handle.read())

    server = Server(os.path.abspath(args.serlab), models, results)
    address = urlparse(server.url)
    latencies, failures, lock = [], [], threading.Lock()
    next_index = iter(range(args.count))

    def client():
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            started = time.perf_counter()
            try:
                connection.request("POST", f"/api/predict?bundle={bundle}&segment=no", body=body, headers={"Content-Type": content_type})
                response = connection.getresponse()
                payload = response.read()
                ok = response.status == 200
                detail = f"{response.status} {payload[:200]!r}"
            except Exception as error:  # a refused or dropped connection counts as a failure
                ok, detail = False, repr(error)
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if ok else failures).append(elapsed if ok else detail)
        connection.close()

    try:
        began = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        peak = server.peak_rss_mib()
    finally:
        server.stop()
    done = len(latencies)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else float("nan")
    print(f"serlab serve load test: {args.count} predictions of {os.path.basename(path)} from {args.clients} clients on loopback, {os.cpu_count()} cores")
    print(f"  requests/s      {done / wall:.1f}  ({done} succeeded in {wall:.2f} s)")
    print(f"  latency p50     {1000 * statistics.median(ordered):.1f} ms" if ordered else "  latency p50     -")
    print(f"  latency p99     {1000 * p99:.1f} ms")
    print(f"  server peak RSS {peak:.1f} MiB")
    print(f"  failed          {len(failures)}")
    for detail in failures[:5]:
        print(f"    {detail}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
