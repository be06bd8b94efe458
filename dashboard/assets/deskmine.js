/* deskmine: small browser-side helpers (served locally from dashboard/assets; no network). */
(function () {
    "use strict";

    /* Seconds as "3d 4h", "5h 12m", "12m", "45s" (same rule as dashboard.figures.common.format_duration). */
    function duration(seconds) {
        if (seconds === null || seconds === undefined || isNaN(seconds)) { return "—"; }
        var s = Math.abs(Number(seconds)), sign = seconds < 0 ? "-" : "";
        if (s < 60) { return sign + Math.round(s) + "s"; }
        if (s < 3600) { return sign + Math.floor(s / 60) + "m"; }
        if (s < 86400) {
            var mins = Math.round(s / 60), h = Math.floor(mins / 60), m = mins % 60;
            return sign + h + "h" + (m ? " " + m + "m" : "");
        }
        var hours = Math.round(s / 3600), d = Math.floor(hours / 24), hh = hours % 24;
        return sign + d + "d" + (hh ? " " + hh + "h" : "");
    }
    /* "2025-01-06T03:42:04Z" -> "2025-01-06 03:42:04" (the column header says UTC). */
    function time(value) {
        return value ? String(value).replace("T", " ").replace(/(\.\d+)?Z$/, "") : "";
    }
    window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {},
                                               {deskmineDuration: duration, deskmineTime: time});

    /* Cytoscape caches where its canvas is on the page and refreshes that on resize and scroll only;
       when content above the map changes height (a slider loading, a message), clicks would land
       on the wrong node. Forget the cached position before every press on a map. */
    function cytoscapeOf(el) {
        for (var node = el; node; node = node.parentElement) {
            if (node._cyreg && node._cyreg.cy) { return node._cyreg.cy; }
        }
        return null;
    }
    function refreshMapPosition(ev) {
        var cy = ev.target && ev.target.closest ? cytoscapeOf(ev.target) : null;
        var renderer = cy && cy.renderer && cy.renderer();
        if (renderer && renderer.invalidateContainerClientCoordsCache) {
            renderer.invalidateContainerClientCoordsCache();
        }
    }
    ["mousedown", "touchstart", "mousemove"].forEach(function (name) {
        document.addEventListener(name, refreshMapPosition, {capture: true, passive: true});
    });

    function size(n) {
        var units = ["bytes", "KB", "MB", "GB"], i = 0;
        while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
        return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
    }

    /* dcc.Upload silently drops files over its max_size: say why, in the page. */
    function checkFiles(files, box) {
        if (!files || !files.length || !box) { return; }
        var limit = Number(box.getAttribute("data-max-bytes") || 0);
        var target = box.getAttribute("data-error-target");
        var file = files[0];
        var message = "";
        if (limit > 0 && file.size > limit) {
            message = file.name + " is " + size(file.size) + ": the upload limit is " + size(limit) +
                ". Ingest it from the command line (deskmine ingest FILE --log NAME) or raise the limit " +
                "with DESKMINE_MAX_UPLOAD_MB.";
        }
        if (target && window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(target, {children: message});
        }
    }
    function uploadBox(el) { return el && el.closest ? el.closest("[data-max-bytes]") : null; }
    document.addEventListener("change", function (ev) {
        var box = uploadBox(ev.target);
        if (box && ev.target.files) { checkFiles(ev.target.files, box); }
    }, true);
    document.addEventListener("drop", function (ev) {
        var box = uploadBox(ev.target);
        if (box && ev.dataTransfer) { checkFiles(ev.dataTransfer.files, box); }
    }, true);
    /* Deferred sections (dashboard.components.feedback.deferred): a section's store is set to true
       once the section has stayed within MARGIN px of the viewport, so its callback runs then and not
       before (pages open with the work of what is on screen, like Grafana's lazy panels). Before
       printing every section is drawn; deskmine.revealAll() does the same from the console or a test.
       A section named by the URL's #hash is scrolled to when it appears. */
    var revealed = typeof WeakSet === "function" ? new WeakSet() : null;
    function reveal(el) {
        if (!el || (revealed && revealed.has(el))) { return; }
        var store = el.getAttribute("data-deferred");
        if (!store || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
        if (revealed) { revealed.add(el); }
        window.dash_clientside.set_props(store, {data: true});
    }
    /* Near the view for SETTLE_MS, not just crossed while the page above it settles (a chart
       arriving before its height is known moves the sections below it up and down again). */
    var MARGIN = 100, SETTLE_MS = 200;
    function near(el) {
        var box = el.getBoundingClientRect();
        return el.isConnected && box.top < window.innerHeight + MARGIN && box.bottom > -MARGIN;
    }
    var observer = typeof IntersectionObserver === "function" ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
            var el = entry.target;
            if (el._deferredTimer) { window.clearTimeout(el._deferredTimer); el._deferredTimer = null; }
            if (!entry.isIntersecting) { return; }
            el._deferredTimer = window.setTimeout(function () {
                el._deferredTimer = null;
                if (near(el)) { observer.unobserve(el); reveal(el); }
            }, SETTLE_MS);
        });
    }, {rootMargin: MARGIN + "px 0px"}) : null;
    var watched = [];
    function scan() {
        watched = watched.filter(function (el) {
            if (el.isConnected) { return true; }
            if (observer) { observer.unobserve(el); }
            return false;
        });
        var found = document.querySelectorAll(".dm-deferred:not([data-watched])");
        for (var i = 0; i < found.length; i += 1) {
            var el = found[i];
            el.setAttribute("data-watched", "1");
            watched.push(el);
            if (observer) { observer.observe(el); } else { reveal(el); }
            if (window.location.hash && el.id === window.location.hash.slice(1)) {
                el.scrollIntoView({block: "start"});
                reveal(el);
            }
        }
    }
    function revealAll() {
        document.querySelectorAll(".dm-deferred").forEach(reveal);
    }
    function start() {
        new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
        scan();
    }
    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
    window.addEventListener("beforeprint", revealAll);
    window.deskmine = Object.assign(window.deskmine || {}, {revealAll: revealAll});
})();
