/* deskmine: in-app links inside AG Grid cells (served locally from dashboard/assets; no network).
   cellRenderer "DeskmineLink" with cellRendererParams {hrefField: "<column holding the href>"}
   renders a real <a href> (open in a new tab works) that navigates like dcc.Link: no page reload,
   the app's filter state stays. */
(function () {
    "use strict";
    var fns = window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {};
    fns.DeskmineLink = function (props) {
        var params = (props.colDef && props.colDef.cellRendererParams) || {};
        var href = props.data && params.hrefField ? props.data[params.hrefField] : null;
        if (!href) { return props.value === null || props.value === undefined ? "" : String(props.value); }
        return window.React.createElement("a", {
            href: href,
            className: "deskmine-link",
            onClick: function (ev) {
                if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey || ev.button !== 0) { return; }
                ev.preventDefault();
                window.history.pushState({}, "", href);
                window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
                window.scrollTo(0, 0);
            }
        }, String(props.value));
    };
})();
