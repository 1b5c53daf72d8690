extension WebPage {
    /// Receives the microphone's samples on the audio thread and posts them to the page in blocks.
    static let recorderWorkletText = #"""
    class RecorderProcessor extends AudioWorkletProcessor {
      process(inputs) {
        const input = inputs[0];
        if (input && input[0] && input[0].length) this.port.postMessage(input[0].slice(0));
        return true;
      }
    }
    registerProcessor("serlab-recorder", RecorderProcessor);
    """#

    /// Both pages' script: the Predict page (bundles, uploads, recording, live timeline) and the
    /// Experiments page (runs table, compare, reports). Errors from the API are shown, never thrown.
    static let scriptText = #"""
    "use strict";
    const PALETTE = ["#d92d20", "#f79009", "#12b76a", "#2e90fa", "#7a5af8", "#ee46bc", "#667085", "#0e9384", "#c4320a", "#6172f3"];
    const $ = (selector) => document.querySelector(selector);
    function el(tag, attributes, ...children) {
      const node = document.createElement(tag);
      for (const [key, value] of Object.entries(attributes || {})) {
        if (key === "class") node.className = value; else if (key === "text") node.textContent = value; else node.setAttribute(key, value);
      }
      for (const child of children) node.append(child);
      return node;
    }
    function showPageError(message) {
      const box = $("#page-error");
      box.textContent = message || "";
      box.hidden = !message;
    }
    /// fetch that resolves to {ok, status, body}; the body of an error is the server's message.
    async function api(url, options) {
      try {
        const response = await fetch(url, options);
        const type = response.headers.get("content-type") || "";
        const body = type.includes("json") ? await response.json() : await response.text();
        if (!response.ok) {
          const message = body && body.error ? body.error.message : `${response.status} ${response.statusText}`;
          return { ok: false, status: response.status, message };
        }
        return { ok: true, status: response.status, body };
      } catch (error) {
        return { ok: false, status: 0, message: `the server did not answer (${error.message})` };
      }
    }
    const percent = (value) => value == null ? "–" : (100 * value).toFixed(1);

    // ---------- Predict ----------
    const predictPage = {
      bundles: [],
      labels: [],
      async start() {
        const answer = await api("/api/bundles");
        const select = $("#bundle");
        if (!answer.ok) { showPageError(answer.message); return; }
        this.bundles = answer.body.bundles.filter((b) => !b.error);
        for (const bundle of answer.body.bundles) {
          const option = el("option", { value: bundle.name, text: bundle.error ? `${bundle.name} (unusable)` : bundle.name });
          if (bundle.error) option.disabled = true;
          select.append(option);
        }
        if (!this.bundles.length) showPageError(answer.body.folder ? `No usable model bundle (*.serlab) under ${answer.body.folder}.` : "The server was started without --models: no bundle to predict with.");
        select.addEventListener("change", () => this.describeBundle());
        this.describeBundle();
        const drop = $("#drop");
        drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
        drop.addEventListener("dragleave", () => drop.classList.remove("over"));
        drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); this.uploadAll(event.dataTransfer.files); });
        $("#file-input").addEventListener("change", (event) => { this.uploadAll(event.target.files); event.target.value = ""; });
        $("#record").addEventListener("click", () => recorder.toggle());
      },
      describeBundle() {
        const bundle = this.bundles.find((b) => b.name === $("#bundle").value);
        this.labels = bundle ? bundle.labels : [];
        $("#bundle-info").textContent = bundle ? `${bundle.members} member${bundle.members === 1 ? "" : "s"} · ${bundle.sampleRate} Hz · classes: ${bundle.labels.join(", ")} · ${bundle.provenance}` : "";
      },
      color(label) {
        const index = this.labels.indexOf(label);
        return PALETTE[(index < 0 ? 0 : index) % PALETTE.length];
      },
      async uploadAll(files) {
        for (const file of Array.from(files)) await this.upload(file, file.name);
      },
      /// Sends one file (or recorded blob) and adds its card, the prediction or the server's message.
      async upload(blob, name, segment = "auto") {
        const card = el("article", { class: "card" }, el("h3", { text: name }), el("p", { class: "muted", text: "predicting…" }));
        $("#results").prepend(card);
        const answer = await this.send(blob, name, segment);
        card.replaceChildren(el("h3", { text: name }));
        if (!answer.ok) { card.append(el("p", { class: "error", text: answer.message })); card.dataset.state = "error"; return; }
        this.render(card, answer.body, blob);
        card.dataset.state = "done";
      },
      async send(blob, name, segment) {
        const bundle = $("#bundle").value;
        if (!bundle) return { ok: false, message: "Pick a model bundle first." };
        const form = new FormData();
        form.append("file", blob, name);
        return api(`/api/predict?bundle=${encodeURIComponent(bundle)}&segment=${segment}`, { method: "POST", body: form });
      },
      render(card, result, blob) {
        card.append(el("p", {}, el("span", { class: "label", text: result.label }),
          el("span", { class: "muted", text: `${result.duration.toFixed(2)} s · ${result.bundle}` })));
        const bars = el("div", { class: "bars" });
        result.labels.forEach((label, index) => {
          const p = result.probabilities[index];
          const fill = el("div", { class: "fill" });
          fill.style.width = `${(100 * p).toFixed(1)}%`;
          fill.style.background = PALETTE[index % PALETTE.length];
          bars.append(el("span", { text: label }), el("div", { class: "track" }, fill), el("span", { class: "p", text: `${(100 * p).toFixed(1)}%` }));
        });
        card.append(bars);
        const canvas = el("canvas", { width: "900", height: "80" });
        const audio = el("audio", { src: URL.createObjectURL(blob), preload: "auto" });
        const play = el("button", { type: "button", class: "play", text: "▶ Play" });
        play.addEventListener("click", () => { if (audio.paused) audio.play().catch(() => {}); else audio.pause(); });
        audio.addEventListener("play", () => { play.textContent = "❚❚ Pause"; });
        audio.addEventListener("pause", () => { play.textContent = "▶ Play"; });
        audio.addEventListener("ended", () => { play.textContent = "▶ Play"; });
        card.append(el("div", { class: "wave" }, play, canvas), audio);
        drawWaveform(canvas, result.envelope, audio);
        if (result.timeline) {
          const strip = el("div", { class: "timeline" });
          strip.innerHTML = result.timeline.svg;  // drawn by serlab (SERPlot), not user input
          const list = result.timeline.segments.map((s) => `${s.start.toFixed(2)}–${s.end.toFixed(2)} s ${s.label}`).join(" · ");
          card.append(el("p", { class: "muted", text: `${result.timeline.segments.length} speech segment(s): ${list}` }), strip);
        }
      },
    };

    function drawWaveform(canvas, envelope, audio) {
      const context = canvas.getContext("2d");
      const { width, height } = canvas;
      const count = envelope.minimum.length;
      const draw = (progress) => {
        context.clearRect(0, 0, width, height);
        for (let i = 0; i < count; i++) {
          const x = (i / count) * width;
          const top = (0.5 - envelope.maximum[i] / 2) * height, bottom = (0.5 - envelope.minimum[i] / 2) * height;
          context.fillStyle = i / count < progress ? "#2f5fd0" : "#98a2b3";
          context.fillRect(x, top, Math.max(1, width / count), Math.max(1, bottom - top));
        }
      };
      draw(0);
      audio.addEventListener("timeupdate", () => draw(audio.duration ? audio.currentTime / audio.duration : 0));
      audio.addEventListener("ended", () => draw(0));
    }

    /// 16-bit PCM mono WAV of float samples.
    function encodeWAV(samples, sampleRate) {
      const buffer = new ArrayBuffer(44 + samples.length * 2);
      const view = new DataView(buffer);
      const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
      text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
      text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
      view.setUint32(24, sampleRate, true); view.setUint32(28, sampleRate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
      text(36, "data"); view.setUint32(40, samples.length * 2, true);
      for (let i = 0; i < samples.length; i++) {
        const s = Math.max(-1, Math.min(1, samples[i]));
        view.setInt16(44 + 2 * i, s < 0 ? s * 32768 : s * 32767, true);
      }
      return new Blob([buffer], { type: "audio/wav" });
    }

    /// The microphone through the Web Audio API: blocks of PCM gathered in the page, sent as WAV when
    /// recording stops; while recording, the last 2 s are predicted every second (the live strip).
    const recorder = {
      context: null, stream: null, node: null, blocks: [], sampleCount: 0, timer: null, liveBusy: false, started: 0,
      async toggle() { if (this.context) await this.stop(); else await this.start(); },
      async start() {
        const button = $("#record"), status = $("#record-status");
        if (!$("#bundle").value) { showPageError("Pick a model bundle first."); return; }
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { showPageError("This browser gives no microphone here (it needs http://127.0.0.1 or https)."); return; }
        try {
          this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
        } catch (error) { showPageError(`No microphone: ${error.message}`); return; }
        showPageError("");
        this.context = new AudioContext();
        await this.context.audioWorklet.addModule("/assets/recorder-worklet.js");
        const source = this.context.createMediaStreamSource(this.stream);
        this.node = new AudioWorkletNode(this.context, "serlab-recorder");
        this.blocks = []; this.sampleCount = 0; this.started = Date.now();
        this.node.port.onmessage = (event) => { this.blocks.push(event.data); this.sampleCount += event.data.length; };
        source.connect(this.node);
        button.textContent = "■ Stop"; button.classList.add("recording");
        status.textContent = "Recording…";
        $("#live").hidden = false; $("#live-strip").replaceChildren(); $("#live-label").textContent = "…";
        this.timer = setInterval(() => this.live(), 1000);
      },
      samples(lastSeconds) {
        const rate = this.context.sampleRate;
        const wanted = lastSeconds ? Math.min(this.sampleCount, Math.round(lastSeconds * rate)) : this.sampleCount;
        const out = new Float32Array(wanted);
        let position = wanted;
        for (let b = this.blocks.length - 1; b >= 0 && position > 0; b--) {
          const block = this.blocks[b];
          const take = Math.min(block.length, position);
          out.set(block.subarray(block.length - take), position - take);
          position -= take;
        }
        return out;
      },
      async live() {
        if (this.liveBusy || !this.context || this.sampleCount < this.context.sampleRate * 0.5) return;
        this.liveBusy = true;
        const answer = await predictPage.send(encodeWAV(this.samples(2), this.context.sampleRate), "live.wav", "no");
        this.liveBusy = false;
        const mark = el("span", {});
        if (answer.ok) {
          mark.style.background = predictPage.color(answer.body.label);
          mark.title = `${((Date.now() - this.started) / 1000).toFixed(0)} s: ${answer.body.label}`;
          $("#live-label").textContent = answer.body.label;
        } else {
          mark.className = "failed";
          mark.style.background = "#eaecf0";
          mark.title = answer.message;
        }
        $("#live-strip").append(mark);
      },
      async stop() {
        clearInterval(this.timer);
        const rate = this.context.sampleRate;
        const samples = this.samples(0);
        this.stream.getTracks().forEach((track) => track.stop());
        await this.context.close();
        this.context = null;
        $("#record").textContent = "● Record"; $("#record").classList.remove("recording");
        let peak = 0;
        for (const value of samples) peak = Math.max(peak, Math.abs(value));
        const level = peak > 0 ? `peak ${(20 * Math.log10(peak)).toFixed(0)} dBFS` : "silent: check the microphone";
        $("#record-status").textContent = `Recorded ${(samples.length / rate).toFixed(1)} s at ${rate} Hz (${level}).`;
        $("#record-status").dataset.peak = String(peak);
        const stamp = new Date().toISOString().slice(11, 19).replace(/:/g, "");
        await predictPage.upload(encodeWAV(samples, rate), `recording-${stamp}.wav`);
      },
    };

    // ---------- Experiments ----------
    const experimentsPage = {
      runs: [], sortKey: "id", descending: false, selected: new Set(),
      async start() {
        const answer = await api("/api/runs");
        if (!answer.ok) { showPageError(answer.message); return; }
        this.runs = answer.body.runs;
        $("#runs-info").textContent = answer.body.folder ? `${this.runs.length} run(s) under ${answer.body.folder}` : "The server was started without --results.";
        document.querySelectorAll("#runs th[data-key]").forEach((th) => th.addEventListener("click", () => {
          const key = th.dataset.key;
          this.descending = this.sortKey === key ? !this.descending : (key === "uar" || key === "accuracy" || key === "date");
          this.sortKey = key;
          this.render();
        }));
        $("#filter").addEventListener("input", () => this.render());
        $("#compare").addEventListener("click", () => this.compare());
        this.render();
      },
      render() {
        const words = $("#filter").value.toLowerCase().split(/\s+/).filter(Boolean);
        const text = (run) => [run.id, run.name, run.corpus, run.model, run.evaluation, run.error].join(" ").toLowerCase();
        const key = this.sortKey, sign = this.descending ? -1 : 1;
        const rows = this.runs.filter((run) => words.every((w) => text(run).includes(w))).sort((a, b) => {
          const x = a[key], y = b[key];
          if (x == null && y == null) return 0; if (x == null) return 1; if (y == null) return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * sign;
        });
        document.querySelectorAll("#runs th[data-key]").forEach((th) => {
          th.classList.toggle("sorted-asc", th.dataset.key === key && !this.descending);
          th.classList.toggle("sorted-desc", th.dataset.key === key && this.descending);
        });
        const body = $("#runs tbody");
        body.replaceChildren();
        for (const run of rows) {
          const box = el("input", { type: "checkbox", "aria-label": `select ${run.id}` });
          box.checked = this.selected.has(run.id);
          box.disabled = !!run.error;
          box.addEventListener("change", () => { if (box.checked) this.selected.add(run.id); else this.selected.delete(run.id); this.updateButton(); });
          const name = el("td", { text: run.id });
          if (run.syntheticData) name.append(el("span", { class: "synthetic", text: "synthetic" }));
          const report = el("td", {});
          if (!run.error) report.append(el("a", { href: `/report?run=${encodeURIComponent(run.id)}`, target: "_blank", text: "report" }));
          const tr = el("tr", { "data-run": run.id, class: run.error ? "unreadable" : "" }, el("td", {}, box), name);
          if (run.error) { tr.append(el("td", { colspan: "7", text: run.error })); body.append(tr); continue; }
          tr.append(el("td", { text: run.corpus }), el("td", { text: run.model }), el("td", { text: `${run.evaluation} (${run.folds})` }),
            el("td", { class: "num", text: `${percent(run.uar)} ± ${percent(run.uarStd)}` }),
            el("td", { class: "num", text: `${percent(run.accuracy)} ± ${percent(run.accuracyStd)}` }),
            el("td", { text: (run.date || "").replace("T", " ").replace("Z", "") }), report);
          body.append(tr);
        }
        this.updateButton();
      },
      updateButton() {
        $("#compare").disabled = this.selected.size === 0;
        $("#compare").textContent = `Compare selected (${this.selected.size})`;
      },
      async compare() {
        const query = Array.from(this.selected).map((id) => `run=${encodeURIComponent(id)}`).join("&");
        const target = $("#comparison");
        target.replaceChildren(el("p", { class: "muted", text: "comparing…" }));
        const answer = await api(`/api/compare?${query}`);
        target.replaceChildren();
        if (!answer.ok) { target.append(el("p", { class: "error", text: answer.message })); return; }
        for (const group of answer.body.groups) target.append(...this.groupTables(group));
      },
      groupTables(group) {
        const heading = el("h3", { text: `${group.corpus} · ${group.protocolKind}, ${group.foldCount} folds · ${group.labels.length} classes` });
        const metrics = [["uar", "UAR"], ["accuracy", "WA"], ["macroF1", "macro-F1"]];
        const table = el("table", { class: "compare" });
        table.append(el("tr", {}, el("th", { text: "Run" }), el("th", { text: "Model" }),
          ...metrics.map(([, title]) => el("th", { class: "num", text: `${title} (95% CI)` }))));
        for (const row of group.rows) {
          const cells = metrics.map(([key]) => {
            const s = row.metrics[key];
            const interval = s.confidenceLow == null ? "" : ` [${percent(s.confidenceLow)}, ${percent(s.confidenceHigh)}]`;
            return el("td", { class: `num${row.best.includes(key) ? " best" : ""}`, text: `${percent(s.mean)} ± ${percent(s.standardDeviation)}${interval}` });
          });
          table.append(el("tr", {}, el("td", { text: row.run }), el("td", { text: row.model }), ...cells));
        }
        const parts = [heading, table];
        if (group.pairs.length) {
          const p = (test) => test ? `${test.pValue < 0.001 ? test.pValue.toExponential(1) : test.pValue.toFixed(3)}` : "–";
          const pairs = el("table", { class: "compare pairs" });
          pairs.append(el("tr", {}, ...["Pair", "ΔUAR", "Wilcoxon p", "paired t p", "McNemar p", "notes"].map((t) => el("th", { text: t }))));
          for (const pair of group.pairs) {
            pairs.append(el("tr", {}, el("td", { text: `${pair.first} vs ${pair.second}` }),
              el("td", { class: "num", text: percent(pair.meanDifference.uar) }), el("td", { class: "num", text: p(pair.wilcoxon) }),
              el("td", { class: "num", text: p(pair.pairedT) }), el("td", { class: "num", text: p(pair.mcnemar) }),
              el("td", { class: "muted", text: pair.notes.join("; ") })));
          }
          parts.push(el("h4", { text: `Paired tests against ${group.reference || "the best run"}` }), pairs);
        }
        return parts;
      },
    };

    if (document.body.dataset.page === "predict") predictPage.start();
    if (document.body.dataset.page === "experiments") experimentsPage.start();
    """#
}
