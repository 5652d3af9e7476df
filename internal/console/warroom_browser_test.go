//go:build browser

package console_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWarRoomInBrowser opens the case page of a case that is sending in
// Debian's chromium: required duties first, no clock of a year or more, a
// delivery chart whose pixels move as the counts grow, and Korean text
// drawn with a real font (not the empty boxes of a missing one), both
// checked on the screenshot's pixels, not only in the DOM.
func TestWarRoomInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is required for the browser test (apt-get install -y chromium): %v", err)
	}
	srv := warRoom(t)
	browser := newBrowser(t)
	if err := chromedp.Do(browser, chromedp.Navigate(srv.URL+"/cases/kp-2024-001"), chromedp.WaitVisible(chromedp.ID("delivery-chart"))); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector("#required tbody tr").dataset.id`))
	if err != nil || first != "GDPR/sa" {
		t.Errorf("first required duty %q (%v), want the soonest, GDPR/sa", first, err)
	}
	clocks, err := chromedp.Run(browser, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#required time.countdown")).map(e => e.textContent)`))
	if err != nil || len(clocks) != 3 {
		t.Fatalf("countdowns %q (%v), want the three duties with a deadline", clocks, err)
	}
	days := regexp.MustCompile(`^(\d+)(d| days)`)
	for _, c := range clocks {
		if m := days.FindStringSubmatch(c); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 365 {
				t.Errorf("a clock of %d days: %q", n, c)
			}
		}
	}
	// The staged duty due within a week shows a live clock and a warning
	// the browser draws in its warning colour.
	staged, err := chromedp.Run(browser, chromedp.Evaluate[[]string](`(function(){var r=document.querySelector("#staged tr[data-id='jp-appi-26-final']");return [r.querySelector("time.countdown").textContent, getComputedStyle(r.querySelector("td")).backgroundColor, r.querySelector(".warn").textContent]})()`))
	if err != nil || len(staged) != 3 || !strings.HasPrefix(staged[0], "4d") && !strings.HasPrefix(staged[0], "5d") || staged[1] != "rgb(255, 246, 214)" || staged[2] != "due soon" {
		t.Errorf("the staged final report in the browser: %q (%v), want a clock of about 5 days, the warning background and 'due soon'", staged, err)
	}
	if open, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.getElementById("not-required").open`)); err != nil || open {
		t.Errorf("the duties not owed are shown open (%v)", err)
	}

	chart := func() ([]byte, string) {
		t.Helper()
		shot, err := chromedp.Run(browser, chromedp.Screenshot(chromedp.ID("delivery-chart")))
		if err != nil {
			t.Fatal(err)
		}
		pts, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById("delivery-line").getAttribute("points")`))
		if err != nil {
			t.Fatal(err)
		}
		return shot, pts
	}
	waitFor(t, "two delivery samples", func() bool {
		_, pts := chart()
		return strings.Count(pts, ",") >= 2
	})
	before, pts1 := chart()
	time.Sleep(4500 * time.Millisecond) // two more polls
	after, pts2 := chart()
	if pts1 == pts2 || samePixels(t, before, after) {
		t.Errorf("the delivery chart did not move: %q then %q", pts1, pts2)
	}
	if rate, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("delivery-rate"))); err != nil || !strings.HasSuffix(rate, "a second") {
		t.Errorf("rate %q (%v), want a measured rate", rate, err)
	}
	if dl, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("delivery-deadlines"))); err != nil || !strings.Contains(dl, "kr-pipa-34-individuals: met") {
		t.Errorf("finish against the deadlines: %q (%v)", dl, err)
	}

	// Korean against private-use characters, which no font draws: without
	// a CJK font both come out as the same row of empty boxes.
	if _, err := chromedp.Run(browser, chromedp.Evaluate[bool](`(function(){
		let top = 0;
		for (const [id, text] of [["ko-probe","개인정보유출"],["tofu-probe","\uE000\uE001\uE002\uE003\uE004\uE005"]]) {
			const s = document.createElement("span"); s.id = id; s.textContent = text;
			s.style.cssText = "position:fixed;left:0;top:" + top + "px;z-index:9;font-size:32px;line-height:40px;width:260px;height:40px;background:#fff;color:#000";
			document.body.append(s);
			top += 60;
		}
		return true })()`)); err != nil {
		t.Fatal(err)
	}
	ko, err := chromedp.Run(browser, chromedp.Screenshot(chromedp.ID("ko-probe")))
	if err != nil {
		t.Fatal(err)
	}
	tofu, err := chromedp.Run(browser, chromedp.Screenshot(chromedp.ID("tofu-probe")))
	if err != nil {
		t.Fatal(err)
	}
	if ink(t, ko) < 200 || samePixels(t, ko, tofu) {
		t.Errorf("Korean renders as empty boxes (ink %d): install a CJK font (make chromium installs fonts-noto-cjk)", ink(t, ko))
	}
	if dir := os.Getenv("BREACHFLOW_ARTIFACTS"); dir != "" {
		full, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err == nil && os.MkdirAll(dir, 0o755) == nil {
			os.WriteFile(filepath.Join(dir, "console-war-room.png"), full, 0o644)
		}
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// samePixels compares two screenshots pixel by pixel.
func samePixels(t *testing.T, a, b []byte) bool {
	ia, ib := decodePNG(t, a), decodePNG(t, b)
	if ia.Bounds() != ib.Bounds() {
		return false
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return false
			}
		}
	}
	return true
}

// ink counts the dark pixels of a screenshot.
func ink(t *testing.T, b []byte) int {
	img := decodePNG(t, b)
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if (cr+cg+cb)/3 < 0x8000 {
				n++
			}
		}
	}
	return n
}
