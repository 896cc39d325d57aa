//go:build windows

package main

import (
	"context"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// On Windows Pulumi's host serves the synchronous invokes over named pipes;
// this host does not (no SDK this package supports opens them): no --sync.
func startSyncInvokes(context.Context, pulumirpc.ResourceMonitorClient) (string, error) {
	return "", nil
}
