package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/tools"
)

// analyticsData is the analytics page: charts (server-rendered SVG) with their numbers as tables.
type analyticsData struct {
	A        tools.Analytics
	Days     int
	PerDay   template.HTML
	Checks   template.HTML
	Backlog  template.HTML
	Reasons  template.HTML
	Median   string
	Statuses []string
	CSV      map[string]string
}

// statusColors are colour-blind-safe (Okabe–Ito) fills per status.
var statusColors = map[string]string{"approved": "#009E73", "rejected": "#D55E00", "needs_review": "#E69F00",
	"pending": "#56B4E9", "in_progress": "#0072B2", "processing": "#CC79A7", "expired": "#999999", "cancelled": "#666666"}

var chartStatuses = []string{"approved", "needs_review", "rejected", "processing", "in_progress", "pending", "expired", "cancelled"}

func (h *Handler) analytics(w http.ResponseWriter, r *http.Request) {
	days := 30
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.fail(w, r, tools.Errorf(tools.CodeInvalidArgument, "days", "give a whole number of days"))
			return
		}
		days = n
	}
	a, te := call[tools.Analytics](r, tools.GetAnalytics.Name, map[string]any{"days": days})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if t := analyticsTable(a, r.URL.Query().Get("table")); wantCSV(r) {
		writeCSV(w, t)
		return
	}
	d := analyticsData{A: a, Days: days, Statuses: chartStatuses, Median: "—", CSV: map[string]string{}}
	if a.MedianDecisionSeconds != nil {
		d.Median = (time.Duration(*a.MedianDecisionSeconds) * time.Second).Round(time.Second).String()
	}
	for _, name := range []string{"per_day", "checks", "backlog", "reasons"} {
		d.CSV[name] = r.URL.Path + "?days=" + strconv.Itoa(days) + "&table=" + name + "&format=csv"
	}
	d.PerDay = stackedBars(a.PerDay)
	var labels []string
	var values []float64
	for _, c := range a.Checks {
		labels, values = append(labels, c.Check), append(values, c.PassRate*100)
	}
	d.Checks = hbars("Pass rate per check", labels, values, 100, "%", "#0072B2")
	labels, values = nil, nil
	for _, b := range a.BacklogAges {
		labels, values = append(labels, b.Label), append(values, float64(b.Count))
	}
	d.Backlog = hbars("Review backlog by time in the queue", labels, values, 0, "", "#E69F00")
	labels, values = nil, nil
	for _, c := range append(append([]tools.AnalyticsCount{}, a.ReviewerRejections...), a.RejectionReasons...) {
		labels, values = append(labels, c.Code), append(values, float64(c.Count))
	}
	d.Reasons = hbars("Top rejection reasons", labels, values, 0, "", "#D55E00")
	h.render(w, r, "analytics", "Analytics", "analytics", 0, d)
}

// analyticsTable is one of the page's tables, for CSV.
func analyticsTable(a tools.Analytics, name string) table {
	switch name {
	case "checks":
		t := table{Name: "analytics-checks", Columns: []string{"Check", "Pass", "Review", "Fail", "Pass rate"}}
		for _, c := range a.Checks {
			t.Rows = append(t.Rows, []cell{{Text: c.Check}, {Text: strconv.Itoa(c.Pass)}, {Text: strconv.Itoa(c.Review)}, {Text: strconv.Itoa(c.Fail)},
				{Text: strconv.FormatFloat(c.PassRate, 'f', 4, 64)}})
		}
		return t
	case "backlog":
		t := table{Name: "analytics-backlog", Columns: []string{"Time in queue", "Cases"}}
		for _, b := range a.BacklogAges {
			t.Rows = append(t.Rows, []cell{{Text: b.Label}, {Text: strconv.Itoa(b.Count)}})
		}
		return t
	case "reasons":
		t := table{Name: "analytics-reasons", Columns: []string{"Source", "Reason code", "Count"}}
		for _, c := range a.ReviewerRejections {
			t.Rows = append(t.Rows, []cell{{Text: "reviewer"}, {Text: c.Code}, {Text: strconv.Itoa(c.Count)}})
		}
		for _, c := range a.RejectionReasons {
			t.Rows = append(t.Rows, []cell{{Text: "check"}, {Text: c.Code}, {Text: strconv.Itoa(c.Count)}})
		}
		return t
	}
	t := table{Name: "analytics-per-day", Columns: append([]string{"Day", "Total"}, chartStatuses...)}
	for _, d := range a.PerDay {
		row := []cell{{Text: d.Day}, {Text: strconv.Itoa(d.Total)}}
		for _, s := range chartStatuses {
			row = append(row, cell{Text: strconv.Itoa(d.ByStatus[s])})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// stackedBars draws verifications per day, stacked by status, as SVG.
func stackedBars(days []tools.AnalyticsDay) template.HTML {
	const w, hgt, left, bottom, top = 720.0, 240.0, 36.0, 28.0, 10.0
	maxV := 1
	for _, d := range days {
		maxV = max(maxV, d.Total)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="perday-t perday-d" preserveAspectRatio="xMidYMid meet">`, w, hgt)
	b.WriteString(`<title id="perday-t">Verifications per day by status</title>`)
	fmt.Fprintf(&b, `<desc id="perday-d">%d days, at most %d verifications on one day; the table below has the numbers.</desc>`, len(days), maxV)
	plotH := hgt - bottom - top
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="axis"/>`, left, hgt-bottom, w, hgt-bottom)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="tick" text-anchor="end">%d</text>`, left-4, top+8, maxV)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="tick" text-anchor="end">0</text>`, left-4, hgt-bottom)
	n := max(len(days), 1)
	slot := (w - left) / float64(n)
	bw := max(slot*0.7, 1)
	for i, d := range days {
		x := left + float64(i)*slot + (slot-bw)/2
		y := hgt - bottom
		for _, s := range chartStatuses {
			c := d.ByStatus[s]
			if c == 0 {
				continue
			}
			bh := plotH * float64(c) / float64(maxV)
			y -= bh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x, y, bw, bh, statusColors[s], html.EscapeString(d.Day), s, c)
		}
		if n <= 14 || i%(n/7+1) == 0 || i == n-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="tick" text-anchor="middle">%s</text>`, x+bw/2, hgt-bottom+16, html.EscapeString(d.Day[5:]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every label is escaped above
}

// hbars draws labelled horizontal bars as SVG; scale 0 means the largest value.
func hbars(title string, labels []string, values []float64, scale float64, unit, color string) template.HTML {
	const w, row, left = 720.0, 26.0, 210.0
	if len(labels) == 0 {
		return template.HTML(`<p class="muted">No data in this period.</p>`)
	}
	if scale == 0 {
		for _, v := range values {
			scale = max(scale, v)
		}
		scale = max(scale, 1)
	}
	hgt := row*float64(len(labels)) + 8
	id := strings.ReplaceAll(strings.ToLower(title), " ", "-")
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t">`, w, hgt, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, html.EscapeString(title))
	for i, l := range labels {
		y := float64(i)*row + 4
		bw := (w - left - 70) * values[i] / scale
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="label" text-anchor="end">%s</text>`, left-8, y+16, html.EscapeString(l))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="%.0f" fill="%s"/>`, left, y+3, max(bw, 1), row-8, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="value">%s%s</text>`, left+max(bw, 1)+6, y+16, strings.TrimSuffix(strconv.FormatFloat(values[i], 'f', 1, 64), ".0"), unit)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every label is escaped above
}
