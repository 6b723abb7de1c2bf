package rpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/kycd/kycd/tools"
)

// maxInFlight bounds the messages of one stream (stdio, one WebSocket) handled at once; the
// reader waits for a slot, so a fast writer cannot start unbounded work.
const maxInFlight = 16

// messageWriter sends the answers of one stream, one at a time.
type messageWriter struct {
	mu    sync.Mutex
	write func([]byte) error
	err   error
}

// send writes b unless an earlier write failed; it reports the first failure.
func (m *messageWriter) send(b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = m.write(b)
	}
	return m.err
}

// streamServer answers the messages of one stream concurrently (a slow call does not hold up
// the next), at most maxInFlight at once, as caller.
type streamServer struct {
	s      *JSONRPC
	caller tools.Caller
	out    *messageWriter
	slots  chan struct{}
	wg     sync.WaitGroup
}

func newStreamServer(s *JSONRPC, caller tools.Caller, write func([]byte) error) *streamServer {
	return &streamServer{s: s, caller: caller, out: &messageWriter{write: write}, slots: make(chan struct{}, maxInFlight)}
}

// serve handles msg in the background once a slot is free; false when ctx ended first.
// release (nil = none) is called once msg has been handled or dropped: it gives back the
// upload memory msg was read under.
func (ss *streamServer) serve(ctx context.Context, msg []byte, release func()) bool {
	if release == nil {
		release = func() {}
	}
	select {
	case ss.slots <- struct{}{}:
	case <-ctx.Done():
		release()
		return false
	}
	ss.wg.Add(1)
	go func() {
		defer func() { release(); <-ss.slots; ss.wg.Done() }()
		if b := ss.s.Handle(ctx, ss.caller, msg); b != nil {
			_ = ss.out.send(b)
		}
	}()
	return true
}

// ServeStdio serves JSON-RPC 2.0 over in/out as caller: one message (a request, a
// notification or a batch) per line of in, one answer per line of out, in the order the
// answers are ready. A line that is not a valid message is answered with its error object and
// the stream goes on; a line over the size limit (BodyLimit) gets a -32013 error and is
// skipped. When in ends, the messages already read are still answered before it returns, so
// `echo '{…}' | kycd rpc` works. Write errors go to logger (nil = slog.Default()).
func (s *JSONRPC) ServeStdio(ctx context.Context, caller tools.Caller, in io.Reader, out io.Writer, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ss := newStreamServer(s, caller, func(b []byte) error {
		_, err := out.Write(append(b, '\n'))
		if err != nil {
			cancel() // nobody is listening: stop reading and working
			logger.With("surface", "rpc").Error("write an answer", "err", err)
		}
		return err
	})
	limit := s.bodyLimit()
	lines := make(chan lineResult)
	go func() { // reads until the end of input; a read blocked on stdin must not hold up ctx
		r := bufio.NewReaderSize(in, 64<<10)
		for {
			line, err := readLine(r, limit)
			select {
			case lines <- lineResult{line, err}:
			case <-ctx.Done():
				return
			}
			if err != nil && !errors.Is(err, errLineTooLong) {
				return
			}
		}
	}()
	var err error
loop:
	for {
		var l lineResult
		select {
		case <-ctx.Done():
			break loop
		case l = <-lines:
		}
		if errors.Is(l.err, errLineTooLong) {
			if ss.out.send(tooLarge(limit)) != nil {
				break loop
			}
			continue
		}
		if len(bytes.TrimSpace(l.line)) > 0 && !ss.serve(ctx, l.line, nil) {
			break loop
		}
		if err = l.err; err != nil {
			break loop
		}
	}
	ss.wg.Wait()
	if err == nil || errors.Is(err, io.EOF) {
		return ss.out.err
	}
	return fmt.Errorf("read stdin: %w", err)
}

type lineResult struct {
	line []byte
	err  error
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line without its newline. A line longer than limit is consumed up to
// its end and reported as errLineTooLong, so the next line is read normally. At the end of
// input the last, unterminated line is returned with io.EOF.
func readLine(r *bufio.Reader, limit int64) ([]byte, error) {
	var line []byte
	over := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !over {
			n := len(line) + len(chunk)
			if n > 0 && chunk[len(chunk)-1] == '\n' {
				n-- // the newline does not count
			}
			if int64(n) > limit {
				over, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if over {
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		return line, err
	}
}
