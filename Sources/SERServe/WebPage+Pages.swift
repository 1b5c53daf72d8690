extension WebPage {
    static let predictBody = """
    <section class="panel">
      <label for="bundle">Model bundle</label>
      <select id="bundle"></select>
      <p id="bundle-info" class="muted"></p>
    </section>
    <section class="panel row">
      <div id="drop" class="drop" tabindex="0">
        <p>Drop audio files here (WAV, FLAC, OGG, AIFF), or</p>
        <label class="button" for="file-input">Choose files…</label>
        <input id="file-input" type="file" accept="audio/*,.wav,.flac,.ogg,.aiff,.aif" multiple hidden>
      </div>
      <div class="recorder">
        <button id="record" type="button">● Record</button>
        <span id="record-status" class="muted">Microphone: recorded in the page, sent as WAV.</span>
        <div id="live" class="live" hidden>
          <div class="live-head">Live: <strong id="live-label">…</strong> <span class="muted">(the last 2 s, every second)</span></div>
          <div id="live-strip" class="live-strip"></div>
        </div>
      </div>
    </section>
    <p id="page-error" class="error" hidden></p>
    <section id="results"></section>
    """

    static let experimentsBody = """
    <section class="panel row">
      <input id="filter" type="search" placeholder="Filter runs (name, corpus, model, protocol…)">
      <button id="compare" type="button" disabled>Compare selected</button>
      <span id="runs-info" class="muted"></span>
    </section>
    <p id="page-error" class="error" hidden></p>
    <table id="runs" class="runs">
      <thead><tr>
        <th></th>
        <th data-key="id">Run</th><th data-key="corpus">Corpus</th><th data-key="model">Model</th>
        <th data-key="evaluation">Protocol</th><th data-key="uar" class="num">UAR</th>
        <th data-key="accuracy" class="num">Accuracy</th><th data-key="date">Date</th><th>Report</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <section id="comparison"></section>
    """
}
