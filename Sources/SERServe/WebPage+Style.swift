extension WebPage {
    /// System fonts only (nothing downloaded).
    static let styleText = #"""
    :root { --ink: #1d2330; --muted: #667085; --line: #d9dee7; --accent: #2f5fd0; --bad: #b42318; --panel: #f6f8fb; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
    header { display: flex; align-items: center; gap: 2rem; padding: .7rem 1.5rem; background: var(--ink); color: #fff; }
    header .brand { font-weight: 700; letter-spacing: .03em; }
    header nav a { color: #c8d3ea; text-decoration: none; margin-right: 1.2rem; }
    header nav a.active, header nav a:hover { color: #fff; border-bottom: 2px solid #fff; }
    main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
    .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
    .row { display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap; }
    label { font-weight: 600; margin-right: .5rem; }
    select, input[type=search] { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; min-width: 18rem; }
    button, .button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; font-weight: 600; }
    button:disabled { opacity: .45; cursor: default; }
    button.recording { background: var(--bad); border-color: var(--bad); }
    .muted { color: var(--muted); font-size: .9em; }
    .error { color: var(--bad); background: #fef3f2; border: 1px solid #fecdca; border-radius: 6px; padding: .5rem .8rem; }
    .drop { flex: 1 1 320px; border: 2px dashed #a8b3c7; border-radius: 8px; padding: 1rem; text-align: center; background: #fff; }
    .drop.over { border-color: var(--accent); background: #eef3ff; }
    .recorder { flex: 1 1 320px; }
    .live { margin-top: .6rem; }
    .live-strip { display: flex; height: 22px; margin-top: .3rem; border: 1px solid var(--line); border-radius: 4px; overflow: hidden; background: #fff; }
    .live-strip span { flex: 0 0 14px; height: 100%; }
    .card { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
    .card h3 { margin: 0 0 .4rem; font-size: 1rem; }
    .card .label { font-size: 1.6rem; font-weight: 700; margin-right: .6rem; }
    .bars { display: grid; grid-template-columns: 7rem 1fr 4rem; gap: .2rem .6rem; align-items: center; margin: .6rem 0; max-width: 560px; }
    .bars .track { background: #eef1f6; border-radius: 3px; height: 14px; }
    .bars .fill { height: 100%; border-radius: 3px; }
    .bars .p { text-align: right; font-variant-numeric: tabular-nums; }
    .wave { display: flex; align-items: center; gap: .6rem; }
    .wave canvas { width: 100%; max-width: 900px; height: 80px; border: 1px solid var(--line); border-radius: 4px; background: #fbfcfe; }
    .timeline svg { max-width: 100%; height: auto; }
    table.runs, table.compare { border-collapse: collapse; width: 100%; margin-bottom: 1rem; font-size: .92em; }
    table.runs th, table.runs td, table.compare th, table.compare td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; }
    table.runs th[data-key] { cursor: pointer; user-select: none; }
    table.runs th.sorted-asc::after { content: " ▲"; } table.runs th.sorted-desc::after { content: " ▼"; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    td.best { font-weight: 700; }
    tr.unreadable td { color: var(--bad); }
    .synthetic { color: #b54708; font-size: .8em; margin-left: .3rem; }
    """#
}
