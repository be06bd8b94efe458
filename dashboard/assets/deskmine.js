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
})();
