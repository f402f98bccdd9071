// Runs inside report.html, where html.ts inlines it after uPlot: draws the charts from the embedded
// series. Plain browser JavaScript, because it is copied into the page as it is.
(() => {
  const { series: s, faults } = JSON.parse(document.getElementById("report-data").textContent);
  const HEIGHT = 260;
  const colors = {
    target: "#8a8f98",
    achieved: "#1f6feb",
    aggregated: "#1a7f37",
    dlq: "#cf222e",
    offsets: "#8250df",
    seconds: "#bf5700",
    p50: "#1f6feb",
    p99: "#cf222e",
    sendDelay: "#8a8f98",
    messagesIn: "#1f6feb",
    bytesIn: "#1a7f37",
    bytesOut: "#bf5700",
    underReplicated: "#cf222e",
  };

  const si = (v) => {
    const a = Math.abs(v);
    if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}G`;
    if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
    if (a >= 1e3) return `${+(v / 1e3).toFixed(2)}k`;
    return `${+v.toFixed(2)}`;
  };
  const siValues = (_u, splits) => splits.map(si);

  // Dashed vertical line and label at each fault, so a spike can be read against what caused it.
  const faultMarkers = {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          const px = devicePixelRatio;
          ctx.save();
          ctx.strokeStyle = "#cf222e";
          ctx.fillStyle = "#cf222e";
          ctx.setLineDash([5 * px, 4 * px]);
          ctx.lineWidth = px;
          ctx.font = `${11 * px}px system-ui, sans-serif`;
          ctx.textBaseline = "top";
          // uPlot leaves the alignment of its last axis label on the context; labels start at their line.
          ctx.textAlign = "left";
          const drawn = [];
          faults.forEach((f, i) => {
            const x = Math.round(u.valToPos(f.atMs / 1000, "x", true));
            if (x < bbox.left || x > bbox.left + bbox.width) return;
            drawn.push(x);
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            // Labels of faults close together would overlap: step every other one down a line.
            ctx.fillText(` ${f.action} ${f.target}`, x, bbox.top + (2 + (i % 2) * 13) * px);
          });
          ctx.restore();
          // Canvas pixels of the lines drawn, so a test can look for them in the picture.
          u.root.closest("[data-chart]").dataset.faultLines = JSON.stringify(drawn);
        },
      ],
    },
  };

  const line = (label, values, stroke, extra = {}) => ({ label, values, stroke, width: 2, ...extra });
  const axis = (label, scale, side, values) => ({ label, scale, side, values, size: 60, labelSize: 20 });

  function chart(name, lines, axes) {
    const container = document.querySelector(`[data-chart="${name}"]`);
    const present = lines.filter((l) => Array.isArray(l.values));
    if (!container || present.length === 0) return;
    const plot = container.querySelector(".plot");
    const usedScales = new Set(present.map((l) => l.scale));
    const opts = {
      width: plot.clientWidth,
      height: HEIGHT,
      scales: { x: { time: false } },
      series: [{ label: "t (s)" }, ...present.map(({ values: _, ...rest }) => rest)],
      axes: [
        { label: "seconds since load start", labelSize: 20 },
        ...axes.filter((a) => usedScales.has(a.scale)),
      ],
      plugins: [faultMarkers],
      hooks: {
        draw: [
          () => {
            container.dataset.rendered = "true";
          },
        ],
      },
    };
    const u = new uPlot(opts, [s.t, ...present.map((l) => l.values)], plot);
    new ResizeObserver(() => u.setSize({ width: plot.clientWidth, height: HEIGHT })).observe(plot);
  }

  chart(
    "rate",
    [
      line("target", s.targetRate, colors.target, { scale: "rate", dash: [6, 4] }),
      line("achieved", s.achievedRate, colors.achieved, { scale: "rate" }),
      line("aggregated", s.aggregatedRate, colors.aggregated, { scale: "rate" }),
      line("to DLQ", s.dlqRate, colors.dlq, { scale: "rate", width: 1 }),
    ],
    [axis("events/s", "rate", 3, siValues)],
  );

  chart(
    "lag",
    [
      line("lag (offsets)", s.lagOffsets, colors.offsets, { scale: "offsets" }),
      line("lag (s)", s.lagSeconds, colors.seconds, { scale: "s", dash: [6, 4] }),
    ],
    [axis("offsets", "offsets", 3, siValues), { ...axis("seconds", "s", 1), grid: { show: false } }],
  );

  chart(
    "latency",
    [
      // Latency exists only in the seconds a window committed: join those points across the empty seconds.
      line("e2e p50 (ms)", s.latencyP50Ms, colors.p50, { scale: "ms", spanGaps: true }),
      line("e2e p99 (ms)", s.latencyP99Ms, colors.p99, { scale: "ms", spanGaps: true }),
      line("send delay p99 (ms)", s.sendDelayP99Ms, colors.sendDelay, { scale: "send", dash: [4, 3] }),
    ],
    [
      axis("e2e ms", "ms", 3, siValues),
      { ...axis("send delay ms", "send", 1, siValues), grid: { show: false } },
    ],
  );

  chart(
    "broker",
    [
      line("messages in/s", s.brokerMessagesInRate, colors.messagesIn, { scale: "msgs" }),
      line("bytes in/s", s.brokerBytesInRate, colors.bytesIn, { scale: "bytes" }),
      line("bytes out/s", s.brokerBytesOutRate, colors.bytesOut, { scale: "bytes" }),
      line("under-replicated partitions", s.underReplicatedPartitions, colors.underReplicated, {
        scale: "urp",
        width: 1,
        paths: uPlot.paths.stepped({ align: 1 }),
      }),
    ],
    [
      axis("messages/s", "msgs", 3, siValues),
      { ...axis("bytes/s", "bytes", 1, siValues), grid: { show: false } },
      { ...axis("under-replicated", "urp", 1), grid: { show: false }, size: 50 },
    ],
  );

  const memory = s.memory ?? {};
  const palette = ["#1f6feb", "#1a7f37", "#bf5700", "#8250df", "#cf222e", "#8a8f98"];
  chart(
    "memory",
    Object.entries(memory).map(([name, m], i) =>
      line(`${name} RSS (MB)`, m.rssMB, palette[i % palette.length], { scale: "mb" }),
    ),
    [axis("MB", "mb", 3, siValues)],
  );

  const cpu = s.cpuCores ?? {};
  chart(
    "cpu",
    [
      ...Object.entries(cpu).map(([name, cores], i) =>
        line(name, cores, palette[i % palette.length], { scale: "cores" }),
      ),
      line("lab sending thread busy (share)", s.driverThreadBusy, "#8a8f98", { scale: "cores", width: 1 }),
    ],
    [axis("cores", "cores", 3)],
  );
})();
