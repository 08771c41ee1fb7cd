// live.js: the live view's logic (docs/live.md). Plain JavaScript and SVG,
// no library, no URL outside the server that served it.
//
// For each server (panel) in turn, when Run is pressed:
//   1. two WebSockets (subprotocol "sendlab", docs/protocol.md): the job
//      connection and a bystander;
//   2. the bystander asks `stats` (the variant's name) and sends a few
//      echoes one at a time to estimate the server's clock against this
//      page's (the echo with the shortest round trip wins, as the harness
//      does: its error is half that round trip);
//   3. the bystander sends an echo every 20 ms while the job runs, and the
//      job connection sends one `run`;
//   4. every result and echo is drawn the moment it arrives; afterwards a
//      `stats` request gives the server's own lag monitor for the job.
// What the page records is in window.sendlabLive (report() below), which
// the headless-browser test (src/tests/test_browser.c) reads back.
//
// Clocks: this page's clock is performance.now() in microseconds; the
// server's stamps (CLOCK_MONOTONIC us) are moved into it by subtracting
// the estimated offset. Times drawn are ms since the `run` was sent.
'use strict';

(function () {
	const ECHO_EVERY_MS = 20;	// the bystander's period, as the harness's
	const SYNC_ECHOES = 8;		// echoes for the clock estimate
	const WAIT_AFTER_MS = 300;	// keep drawing the bystander after the job
	const CONNECT_MS = 5000;	// bound on opening a WebSocket
	const REPLY_MS = 5000;		// bound on a sync echo or stats reply
	const MAX_PANELS = 8;		// bounded: each panel opens two sockets
	const SVG = 'http://www.w3.org/2000/svg';

	function nowUs() {
		return Math.round(performance.now() * 1000);
	}

	function sleep(ms) {
		return new Promise(function (resolve) { setTimeout(resolve, ms); });
	}

	// ---- one WebSocket with a queue of replies, every wait bounded ----

	// Opens ws://host:port/ with subprotocol sendlab. Resolves to an
	// object whose next(ms) resolves to the next parsed message (with
	// its arrival time, page clock) or rejects after ms or on close.
	function connect(url) {
		return new Promise(function (resolve, reject) {
			let ws;

			try {
				ws = new WebSocket(url, 'sendlab');
			} catch (e) {
				reject(new Error('cannot open ' + url + ': ' + e.message));
				return;
			}
			const conn = { ws: ws, queue: [], waiters: [], closed: null, onmsg: null };
			const timer = setTimeout(function () {
				ws.close();
				reject(new Error('no answer from ' + url + ' within ' +
					CONNECT_MS + ' ms'));
			}, CONNECT_MS);

			ws.onopen = function () {
				clearTimeout(timer);
				resolve(conn);
			};
			ws.onmessage = function (ev) {
				const t = nowUs();
				let msg;

				try {
					msg = JSON.parse(ev.data);
				} catch (e) {
					msg = { op: 'error', error: 'not JSON: ' + String(ev.data).slice(0, 80) };
				}
				msg.t_arrive_us = t;
				if (conn.onmsg && conn.onmsg(msg))
					return;
				const w = conn.waiters.shift();

				if (w)
					w.resolve(msg);
				else if (conn.queue.length < 10000)	// bounded
					conn.queue.push(msg);
			};
			ws.onclose = function (ev) {
				clearTimeout(timer);
				conn.closed = 'closed (code ' + ev.code +
					(ev.reason ? ': ' + ev.reason : '') + ')';
				reject(new Error('cannot connect to ' + url + ': refused, ' +
					'or this page\'s origin is not allowed there (see the ' +
					'server\'s stderr)'));
				conn.waiters.splice(0).forEach(function (w) {
					w.reject(new Error('connection ' + conn.closed));
				});
			};
			conn.send = function (obj) {
				ws.send(JSON.stringify(obj));
			};
			conn.next = function (ms) {
				if (conn.queue.length)
					return Promise.resolve(conn.queue.shift());
				if (conn.closed)
					return Promise.reject(new Error('connection ' + conn.closed));
				return new Promise(function (resolve, reject) {
					const w = { resolve: resolve, reject: reject };
					const t = setTimeout(function () {
						const i = conn.waiters.indexOf(w);

						if (i >= 0)
							conn.waiters.splice(i, 1);
						reject(new Error('no reply within ' + ms + ' ms'));
					}, ms);

					w.resolve = function (m) { clearTimeout(t); resolve(m); };
					w.reject = function (e) { clearTimeout(t); reject(e); };
					conn.waiters.push(w);
				});
			};
			conn.close = function () {
				conn.onmsg = null;
				ws.close();
			};
		});
	}

	// The next reply of kind op (an error reply is thrown).
	async function expect(conn, op) {
		const m = await conn.next(REPLY_MS);

		if (m.op === 'error')
			throw new Error('the server says: ' + m.error);
		if (m.op !== op)
			throw new Error('expected a "' + op + '" reply, got "' + m.op + '"');
		return m;
	}

	// NTP-style estimate from SYNC_ECHOES echoes sent one at a time:
	// offset = server stamp - midpoint of the round trip, taken from the
	// echo with the shortest round trip; error = half of that round trip.
	async function estimateClock(conn) {
		let best = null;

		for (let i = 0; i < SYNC_ECHOES; i++) {
			const sent = nowUs();

			conn.send({ op: 'echo', t_us: sent });
			const m = await expect(conn, 'echo');
			const rtt = m.t_arrive_us - sent;

			if (!best || rtt < best.rtt)
				best = { rtt: rtt, offset: m.t_server_us - Math.round((sent + m.t_arrive_us) / 2) };
		}
		return { offset_us: best.offset, err_us: Math.ceil(best.rtt / 2) };
	}

	// ---- a panel: one server, its record and its drawing ----

	function el(tag, cls, text) {
		const e = document.createElement(tag);

		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	function svgEl(tag, attrs, parent) {
		const e = document.createElementNS(SVG, tag);

		for (const k in attrs)
			e.setAttribute(k, attrs[k]);
		if (parent)
			parent.appendChild(e);
		return e;
	}

	function Panel(host, port) {
		this.url = 'ws://' + host + ':' + port + '/';
		this.port = port;
		this.record = null;
		this.box = el('section', 'panel');
		this.title = el('h2', null, 'server at port ' + port);
		this.svg = svgEl('svg', { viewBox: '0 0 900 190', role: 'img' });
		this.summary = el('p', 'summary', 'not run yet');
		this.box.appendChild(this.title);
		this.box.appendChild(this.svg);
		this.box.appendChild(this.summary);
	}

	// The scales all panels share (Panel.prototype.draw).
	const scales = { span: 0, worst: 50 };

	// Geometry of the drawing (viewBox units).
	const X0 = 110, X1 = 880;
	const ROW_COMPUTE = 18, ROW_ARRIVE = 48, ECHO_TOP = 70, ECHO_BOTTOM = 160;

	// Redraws the whole panel from its record (a few hundred elements at
	// most: cheap enough for every animation frame while it runs).
	Panel.prototype.draw = function () {
		const r = this.record;
		const svg = this.svg;

		while (svg.firstChild)
			svg.removeChild(svg.firstChild);
		if (!r || r.t_run_us === null)
			return;
		const nowMs = r.state === 'running' ? (nowUs() - r.t_run_us) / 1000 : r.end_ms;

		// Every panel is drawn to the same scales, so that their shapes
		// can be compared: time up to the longest panel, echo latency
		// up to the worst of all (at least 50 ms).
		scales.span = Math.max(scales.span, r.items * r.work_ms * 1.15 + WAIT_AFTER_MS + 100,
			nowMs + 50);
		r.echoes.forEach(function (e) { scales.worst = Math.max(scales.worst, e.latency_ms); });
		r.waiting.forEach(function (sent) { scales.worst = Math.max(scales.worst, nowMs - sent); });
		const span = scales.span, worst = scales.worst;
		const x = function (ms) { return X0 + (X1 - X0) * Math.max(0, ms) / span; };
		const y = function (ms) { return ECHO_BOTTOM - (ECHO_BOTTOM - ECHO_TOP) * ms / worst; };

		// labels and axes
		svgEl('text', { x: 4, y: ROW_COMPUTE + 12, class: 'label' }, svg).textContent = 'computing';
		svgEl('text', { x: 4, y: ROW_ARRIVE + 4, class: 'label' }, svg).textContent = 'arrived here';
		svgEl('text', { x: 4, y: ECHO_TOP + 10, class: 'label' }, svg).textContent = 'echo took';
		svgEl('text', { x: 4, y: ECHO_TOP + 24, class: 'label' }, svg).textContent =
			'(0-' + Math.round(worst) + ' ms)';
		svgEl('line', { x1: X0, y1: ECHO_BOTTOM, x2: X1, y2: ECHO_BOTTOM, class: 'axis' }, svg);
		const step = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].find(function (s) {
			return span / s <= 12;
		}) || 60000;

		for (let t = 0; t <= span; t += step) {
			svgEl('line', { x1: x(t), y1: ECHO_BOTTOM, x2: x(t), y2: ECHO_BOTTOM + 4, class: 'axis' }, svg);
			svgEl('text', { x: x(t), y: ECHO_BOTTOM + 16, class: 'tick' }, svg).textContent = String(t);
		}
		svgEl('text', { x: X1, y: ECHO_BOTTOM + 28, class: 'tick end' }, svg).textContent =
			'ms since the run was sent';

		// the server's computation of each item
		r.results.forEach(function (res, i) {
			svgEl('rect', { x: x(res.start_ms), y: ROW_COMPUTE, height: 14,
				width: Math.max(1, x(res.done_ms) - x(res.start_ms)),
				class: i % 2 ? 'compute odd' : 'compute' }, svg);
		});
		// each result's arrival; dots that would overlap are stacked, so
		// a clump shows how many it holds
		let lastX = -100, stack = 0;

		r.results.forEach(function (res) {
			const cx = x(res.arrive_ms);

			stack = cx - lastX < 8 ? stack + 1 : 0;
			lastX = cx;
			svgEl('circle', { cx: cx, cy: ROW_ARRIVE - 7 * Math.min(stack, 3),
				r: 4, class: 'arrive' }, svg);
		});
		// the bystander: answered echoes as a line at their send time...
		if (r.echoes.length) {
			const pts = r.echoes.map(function (e) {
				return x(e.sent_ms).toFixed(1) + ',' + y(e.latency_ms).toFixed(1);
			});

			svgEl('polyline', { points: pts.join(' '), class: 'echo' }, svg);
		}
		// ...and the ones still waiting, growing while they wait
		if (r.waiting.length) {
			const oldest = Math.min.apply(null, r.waiting);

			if (r.state === 'running') {
				svgEl('line', { x1: x(oldest), y1: y(0), x2: x(oldest), y2: y(nowMs - oldest),
					class: 'wait' }, svg);
				if (nowMs - oldest > 100)
					svgEl('text', { x: x(oldest) + 6, y: ECHO_TOP + 12, class: 'warn' }, svg)
						.textContent = 'an echo has waited ' + Math.round(nowMs - oldest) +
						' ms: the server is not reading';
			}
		}
		// now
		if (r.state === 'running')
			svgEl('line', { x1: x(nowMs), y1: 8, x2: x(nowMs), y2: ECHO_BOTTOM, class: 'now' }, svg);
	};

	// ---- running one panel ----

	// Runs items x work_ms on this panel's server with a bystander, filling
	// this.record as messages arrive. Never throws: a failure is recorded
	// in record.error and shown.
	Panel.prototype.run = async function (items, workMs) {
		const r = this.record = {
			port: this.port, variant: null, state: 'running', error: null,
			items: items, work_ms: workMs, t_run_us: null, end_ms: 0,
			offset_us: null, offset_err_us: null,
			results: [], echoes: [], waiting: [], stats: null,
			echo_max_during_ms: 0, echoes_during: 0
		};
		let job = null, by = null, ticker = null;
		const self = this;

		this.summary.textContent = 'connecting...';
		try {
			by = await connect(this.url);
			job = await connect(this.url);
			by.send({ op: 'stats' });
			r.variant = (await expect(by, 'stats')).variant;
			this.title.textContent = r.variant + ' (port ' + this.port + ')';
			const clock = await estimateClock(by);

			r.offset_us = clock.offset_us;
			r.offset_err_us = clock.err_us;
			const toMs = function (serverUs) {
				return (serverUs - r.offset_us - r.t_run_us) / 1000;
			};

			// the bystander: an echo every ECHO_EVERY_MS, drawn as it returns
			by.onmsg = function (m) {
				if (m.op !== 'echo')
					return false;
				const sent = (m.t_us - r.t_run_us) / 1000;
				const lat = (m.t_arrive_us - m.t_us) / 1000;
				const i = r.waiting.indexOf(sent);

				if (i >= 0)
					r.waiting.splice(i, 1);
				r.echoes.push({ sent_ms: sent, latency_ms: lat,
					arrive_ms: (m.t_arrive_us - r.t_run_us) / 1000 });
				return true;
			};
			r.t_run_us = nowUs();
			ticker = setInterval(function () {
				if (r.waiting.length >= 1000)	// bounded: a stuck server
					return;
				const t = nowUs();

				r.waiting.push((t - r.t_run_us) / 1000);
				by.send({ op: 'echo', t_us: t });
			}, ECHO_EVERY_MS);

			job.send({ op: 'run', items: items, work_ms: workMs, id: 'live' });
			let first = null;
			const deadline = items * workMs + 10000;

			while (r.results.length < items) {
				const left = deadline - (nowUs() - r.t_run_us) / 1000;
				const m = await job.next(Math.max(1, left));

				if (m.op === 'error')
					throw new Error('the server says: ' + m.error);
				if (m.op !== 'result')
					continue;
				first = first || m;
				r.results.push({
					seq: m.seq,
					arrive_ms: (m.t_arrive_us - r.t_run_us) / 1000,
					start_ms: toMs(m.t_start_us),
					done_ms: toMs(m.t_done_us),
					send_ms: toMs(m.t_send_us)
				});
				self.summary.textContent = r.results.length + ' of ' + items + ' results';
			}
			// The echoes in flight when the last result came were sent
			// during the job: wait for them, then stop the bystander.
			await sleep(WAIT_AFTER_MS);
			clearInterval(ticker);
			ticker = null;
			for (let i = 0; i < 100 && r.waiting.length; i++)
				await sleep(20);
			judgeBystander(r);
			job.send({ op: 'stats', since_us: first.t_recv_us });
			r.stats = await expect(job, 'stats');
			r.state = 'done';
		} catch (e) {
			r.state = 'error';
			r.error = e.message;
		}
		if (ticker)
			clearInterval(ticker);
		if (by)
			by.close();
		if (job)
			job.close();
		r.end_ms = r.t_run_us === null ? 0 : (nowUs() - r.t_run_us) / 1000;
		this.summary.textContent = describe(r);
		this.draw();
	};

	// The bystander during the job, from the server's side of it: its
	// worst echo among those sent before the last item was computed, and
	// how many echoes were answered while the server was still computing
	// (before the last item's t_done, in this page's clock). A frozen
	// loop answers none; a live one about one per 20 ms.
	function judgeBystander(r) {
		const computed = r.results.reduce(function (m, x) { return Math.max(m, x.done_ms); }, 0);

		r.echo_max_during_ms = 0;
		r.echoes_during = 0;
		r.echoes.forEach(function (e) {
			if (e.sent_ms >= 0 && e.sent_ms < computed)
				r.echo_max_during_ms = Math.max(r.echo_max_during_ms, e.latency_ms);
			if (e.sent_ms >= 0 && e.arrive_ms < computed)
				r.echoes_during++;
		});
	}

	// One paragraph saying what the panel shows.
	function describe(r) {
		if (r.state === 'error')
			return 'failed: ' + r.error;
		const arr = r.results.map(function (x) { return Math.round(x.arrive_ms); });
		const done = r.results.map(function (x) { return Math.round(x.done_ms); });
		// Two arrivals closer than a quarter of an item came together.
		const close = 0.25 * r.work_ms;
		let together = 0;

		for (let i = 1; i < arr.length; i++)
			if (arr[i] - arr[i - 1] < close)
				together++;
		let shape = '';

		if (r.items > 1 && r.work_ms > 0)
			shape = together === 0 ? ' They arrived spread out, each as it was computed.' :
				together === arr.length - 1 ? ' They all arrived together: clumped.' :
				together === arr.length - 2 && arr[1] - arr[0] >= close ?
					' The first arrived on time, the rest together at the end.' :
					' Some arrived together.';
		let text = 'Results arrived at ' + arr.join(', ') + ' ms, computed by ' +
			done.join(', ') + ' ms.' + shape + ' The other connection\'s worst echo ' +
			'during the job: ' + Math.round(r.echo_max_during_ms) + ' ms (' +
			r.echoes_during + ' answered while it computed).';

		if (r.stats)
			text += ' Lag monitor: worst ' + Math.round(r.stats.lag_max_us / 1000) +
				' ms, ' + r.stats.stalls + ' stall(s) over 100 ms.';
		return text + ' (Server times are placed on this page\'s clock to within ' +
			(r.offset_err_us / 1000).toFixed(1) + ' ms.)';
	}

	// ---- the page ----

	const live = window.sendlabLive = {
		state: 'idle',
		panels: [],
		// One line per panel, "key=value;..." joined by "|", for the
		// headless-browser test: numbers in ms (one decimal) unless the
		// key says us.
		report: function () {
			return live.panels.map(function (p) {
				const r = p.record || { state: 'idle', results: [] };
				const list = function (k) {
					return r.results.map(function (x) { return x[k].toFixed(1); }).join(',');
				};

				return [
					'port=' + p.port, 'variant=' + (r.variant || ''), 'state=' + r.state,
					'arrive=' + list('arrive_ms'), 'start=' + list('start_ms'),
					'done=' + list('done_ms'),
					'echo_max_during=' + (r.echo_max_during_ms || 0).toFixed(1),
					'echoes_during=' + (r.echoes_during || 0),
					'echoes=' + (r.echoes ? r.echoes.length : 0),
					'lag_max_us=' + (r.stats ? r.stats.lag_max_us : -1),
					'offset_err_us=' + (r.offset_err_us === null || r.offset_err_us === undefined ?
						-1 : r.offset_err_us),
					'error=' + (r.error || '').replace(/[;|="\\]/g, ' ')
				].join(';');
			}).join('|');
		}
	};

	// While a run goes on, every frame redraws every panel: the shared
	// scales may have grown, and finished panels must follow them.
	function animate() {
		live.panels.forEach(function (p) { p.draw(); });
		if (live.state === 'running')
			requestAnimationFrame(animate);
	}

	async function runAll(items, workMs) {
		const status = document.getElementById('status');
		const button = document.getElementById('run');

		live.state = 'running';
		scales.span = 0;
		scales.worst = 50;
		live.panels.forEach(function (p) { p.record = null; p.summary.textContent = 'waiting'; });
		button.disabled = true;
		requestAnimationFrame(animate);
		for (let i = 0; i < live.panels.length; i++) {
			status.textContent = 'running ' + (i + 1) + ' of ' + live.panels.length;
			await live.panels[i].run(items, workMs);
		}
		live.state = 'done';
		live.panels.forEach(function (p) { p.draw(); });
		button.disabled = false;
		status.textContent = 'done';
	}

	function start() {
		const params = new URLSearchParams(location.search);
		const ports = (params.get('ports') || location.port || '80').split(',');
		const box = document.getElementById('panels');
		const items = document.getElementById('items');
		const workMs = document.getElementById('work_ms');

		ports.forEach(function (p) {
			if (!/^[0-9]{1,5}$/.test(p) || live.panels.length >= MAX_PANELS)
				return;	// the query string is the user's: ignore junk
			const panel = new Panel(location.hostname, p);

			live.panels.push(panel);
			box.appendChild(panel.box);
		});
		if (params.get('items'))
			items.value = params.get('items');
		if (params.get('work_ms'))
			workMs.value = params.get('work_ms');
		document.getElementById('controls').addEventListener('submit', function (ev) {
			ev.preventDefault();
			if (live.state !== 'running')
				runAll(parseInt(items.value, 10), parseInt(workMs.value, 10));
		});
		if (params.get('autorun') === '1')
			runAll(parseInt(items.value, 10), parseInt(workMs.value, 10));
	}

	start();
}());
