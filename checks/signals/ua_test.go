package signals

import "testing"

// Real User-Agent strings, as browsers of 2023–2024 send them.
func TestParseUA(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ua   string
		want UserAgent
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			UserAgent{"Chrome 126", "Windows", DeviceDesktop}},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68",
			UserAgent{"Edge 126", "Windows", DeviceDesktop}},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
			UserAgent{"Firefox 127", "Windows", DeviceDesktop}},
		{"Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
			UserAgent{"Internet Explorer 11", "Windows 7", DeviceDesktop}},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
			UserAgent{"Safari 17", "macOS", DeviceDesktop}},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 OPR/111.0.0.0",
			UserAgent{"Opera 111", "macOS", DeviceDesktop}},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
			UserAgent{"Firefox 126", "Linux", DeviceDesktop}},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			UserAgent{"Chrome 126", "ChromeOS", DeviceDesktop}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			UserAgent{"Safari 17", "iOS 17", DeviceMobile}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
			UserAgent{"Chrome 126", "iOS 17", DeviceMobile}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
			UserAgent{"Firefox 127", "iOS 16", DeviceMobile}},
		{"Mozilla/5.0 (iPad; CPU OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			UserAgent{"Safari 16", "iPadOS 16", DeviceTablet}},
		{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
			UserAgent{"Chrome 126", "Android 10", DeviceMobile}},
		{"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
			UserAgent{"Samsung Internet 25", "Android 14", DeviceMobile}},
		{"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			UserAgent{"Chrome 126", "Android 13", DeviceTablet}},
		{"Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0",
			UserAgent{"Firefox 127", "Android 14", DeviceMobile}},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240605.024; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/471.0.0.35.79;]",
			UserAgent{"Facebook 471", "Android 14", DeviceMobile}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/21F79 Instagram 334.0.4.32.98 (iPhone15,3; iOS 17_5; en_US; en; scale=3.00; 1290x2796; 607542563)",
			UserAgent{"Instagram 334", "iOS 17", DeviceMobile}},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
			UserAgent{"Yandex 24", "Windows", DeviceDesktop}},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			UserAgent{"", "", DeviceBot}},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
			UserAgent{"Chrome 126", "Linux", DeviceBot}},
		{"curl/8.5.0", UserAgent{"", "", DeviceBot}},
		{"python-requests/2.32.3", UserAgent{"", "", DeviceBot}},
		{"", UserAgent{}},
		{"something else entirely", UserAgent{}},
	} {
		if got := ParseUA(tc.ua); got != tc.want {
			t.Errorf("ParseUA(%q)\n got %+v\nwant %+v", tc.ua, got, tc.want)
		}
	}
}
