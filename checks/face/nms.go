package face

import "sort"

// IoU is the intersection over union of two boxes.
func IoU(a, b Box) float64 {
	ix := min(a.X2, b.X2) - max(a.X1, b.X1)
	iy := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	union := a.W()*a.H() + b.W()*b.H() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// NMS keeps the highest-scoring boxes and drops any box whose IoU with an
// already kept one exceeds thresh. The result is sorted by score, best first.
func NMS(boxes []Box, thresh float64) []Box {
	s := append([]Box(nil), boxes...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Score > s[j].Score })
	var keep []Box
	for _, b := range s {
		if b.W() <= 0 || b.H() <= 0 {
			continue
		}
		ok := true
		for _, k := range keep {
			if IoU(b, k) > thresh {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, b)
		}
	}
	return keep
}
