//go:build !windows

package main

// `--sync <dir>`, as Pulumi's host passes it: a folder holding two named pipes,
// invoke_req and invoke_res, over which an SDK may make an Invoke call
// synchronously (a 4-byte big-endian length, then the protobuf message, each
// way). @pulumi/pulumi 3.x no longer opens them (settings.tryGetSyncInvokes
// has no caller), but the flag and the pipes are there, served, as with
// Pulumi's host, so a program sees the same arguments and environment.

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
)

// startSyncInvokes makes the pipes and serves them with monitor until ctx
// ends; it returns their folder.
func startSyncInvokes(ctx context.Context, monitor pulumirpc.ResourceMonitorClient) (string, error) {
	dir, err := os.MkdirTemp("", "pulumi-node-pipes")
	if err != nil {
		return "", err
	}
	req, res := filepath.Join(dir, "invoke_req"), filepath.Join(dir, "invoke_res")
	for _, pipe := range []string{req, res} {
		if err := syscall.Mkfifo(pipe, 0o600); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	go serveSyncInvokes(ctx, monitor, req, res)
	context.AfterFunc(ctx, func() {
		// A reader still waiting for the program to open the request pipe is
		// released by a writer that opens and closes it at once.
		if f, err := os.OpenFile(req, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		os.RemoveAll(dir)
	})
	return dir, nil
}

func serveSyncInvokes(ctx context.Context, monitor pulumirpc.ResourceMonitorClient, reqPath, resPath string) {
	requests, err := os.Open(reqPath)
	if err != nil {
		return
	}
	defer requests.Close()
	var responses *os.File
	defer func() {
		if responses != nil {
			responses.Close()
		}
	}()
	for ctx.Err() == nil {
		var size uint32
		if err := binary.Read(requests, binary.BigEndian, &size); err != nil {
			return
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(requests, body); err != nil {
			return
		}
		var req pulumirpc.ResourceInvokeRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return
		}
		resp, err := monitor.Invoke(ctx, &req)
		if err != nil {
			return
		}
		out, err := proto.Marshal(resp)
		if err != nil {
			return
		}
		if responses == nil {
			if responses, err = os.OpenFile(resPath, os.O_WRONLY, 0); err != nil {
				return
			}
		}
		if binary.Write(responses, binary.BigEndian, uint32(len(out))) != nil {
			return
		}
		if _, err := responses.Write(out); err != nil {
			return
		}
	}
}
