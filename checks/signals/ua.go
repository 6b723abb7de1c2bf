package signals

import (
	"regexp"
	"strings"
)

// UserAgent is a User-Agent header reduced to what a reviewer compares: families, not versions
// of every component. Empty fields were not recognised.
type UserAgent struct {
	Browser string `json:"browser" jsonschema:"browser family and major version (e.g. Chrome 126), empty when not recognised"`
	OS      string `json:"os" jsonschema:"operating system (e.g. Android 14, iOS 17, Windows, macOS), empty when not recognised"`
	Device  string `json:"device" jsonschema:"desktop, mobile, tablet or bot; empty when not recognised"`
}

// Device types.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
)

var (
	reBot      = regexp.MustCompile(`(?i)bot\b|crawler|spider|slurp|curl/|wget/|python-requests|go-http-client|headlesschrome|httpclient|okhttp`)
	reAndroid  = regexp.MustCompile(`Android (\d+)`)
	reIOS      = regexp.MustCompile(`(?:iPhone|CPU) OS (\d+)`)
	reWinNT    = regexp.MustCompile(`Windows NT (\d+\.\d+)`)
	reCrOS     = regexp.MustCompile(`CrOS`)
	browserRes = []struct {
		name string
		re   *regexp.Regexp
	}{
		// Order matters: the Chromium derivatives and in-app shells all say Chrome and Safari too.
		{"Samsung Internet", regexp.MustCompile(`SamsungBrowser/(\d+)`)},
		{"Edge", regexp.MustCompile(`Edg(?:e|A|iOS)?/(\d+)`)},
		{"Opera", regexp.MustCompile(`(?:OPR|OPiOS)/(\d+)`)},
		{"Yandex", regexp.MustCompile(`YaBrowser/(\d+)`)},
		{"Facebook", regexp.MustCompile(`FB_IAB/[^\]]*?FBAV/(\d+)|FBAV/(\d+)|FB_IAB/`)},
		{"Instagram", regexp.MustCompile(`Instagram (\d+)`)},
		{"Firefox", regexp.MustCompile(`(?:Firefox|FxiOS)/(\d+)`)},
		{"Chrome", regexp.MustCompile(`(?:Chrome|CriOS)/(\d+)`)},
		{"Safari", regexp.MustCompile(`Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/`)},
		{"Internet Explorer", regexp.MustCompile(`(?:MSIE (\d+)|Trident/.*rv:(\d+))`)},
	}
)

// ParseUA reads the common User-Agent families: Chrome, Safari, Firefox, Edge, Opera, Samsung
// Internet, Yandex, in-app browsers of Facebook and Instagram, Internet Explorer; Windows, macOS,
// iOS, iPadOS, Android, ChromeOS, Linux; and bots and HTTP libraries. Versions are major only.
// An unrecognised string gives empty fields, never an error.
func ParseUA(ua string) UserAgent {
	var out UserAgent
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	if strings.TrimSpace(ua) == "" {
		return out
	}
	for _, b := range browserRes {
		if m := b.re.FindStringSubmatch(ua); m != nil {
			out.Browser = b.name
			for _, v := range m[1:] {
				if v != "" {
					out.Browser += " " + v
					break
				}
			}
			break
		}
	}
	switch {
	case strings.Contains(ua, "iPad"):
		out.OS, out.Device = "iPadOS", DeviceTablet
		if m := reIOS.FindStringSubmatch(ua); m != nil {
			out.OS += " " + m[1]
		}
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPod"):
		out.OS, out.Device = "iOS", DeviceMobile
		if m := reIOS.FindStringSubmatch(ua); m != nil {
			out.OS += " " + m[1]
		}
	case strings.Contains(ua, "Android"):
		out.OS, out.Device = "Android", DeviceTablet
		if m := reAndroid.FindStringSubmatch(ua); m != nil {
			out.OS += " " + m[1]
		}
		// Android phones say Mobile; tablets do not.
		if strings.Contains(ua, "Mobile") {
			out.Device = DeviceMobile
		}
	case strings.Contains(ua, "Windows Phone"):
		out.OS, out.Device = "Windows Phone", DeviceMobile
	case strings.Contains(ua, "Windows"):
		out.OS, out.Device = "Windows", DeviceDesktop
		if m := reWinNT.FindStringSubmatch(ua); m != nil {
			switch m[1] {
			case "10.0": // also Windows 11: the header no longer tells them apart
			case "6.3":
				out.OS += " 8.1"
			case "6.2":
				out.OS += " 8"
			case "6.1":
				out.OS += " 7"
			}
		}
	case strings.Contains(ua, "Macintosh") || strings.Contains(ua, "Mac OS X"):
		out.OS, out.Device = "macOS", DeviceDesktop
	case reCrOS.MatchString(ua):
		out.OS, out.Device = "ChromeOS", DeviceDesktop
	case strings.Contains(ua, "Linux") || strings.Contains(ua, "X11"):
		out.OS, out.Device = "Linux", DeviceDesktop
	}
	if reBot.MatchString(ua) {
		out.Device = DeviceBot
	}
	return out
}
