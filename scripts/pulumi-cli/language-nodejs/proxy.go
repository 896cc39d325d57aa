package main

// The resource monitor a program talks to, as with Pulumi's own host: not the
// engine's monitor itself but a proxy this host serves on 127.0.0.1, which
// forwards the ResourceMonitor methods Pulumi's host forwards (and answers
// Unimplemented for the rest), adding the `pulumi-runtime: nodejs` header to
// RegisterResource, by which the engine recognises a Node.js program (it works
// around old Node.js SDKs' alias specs with it). Messages are forwarded as
// bytes, unparsed, so no field can be lost on the way.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const monitorService = "/pulumirpc.ResourceMonitor/"

// forwardedMonitorMethods are the methods Pulumi's v3.274.1 host proxies
// (sdk/nodejs/cmd/pulumi-language-nodejs/proxy.go, monitorProxy).
var forwardedMonitorMethods = map[string]bool{
	"Invoke": true, "Call": true, "ReadResource": true, "RegisterResource": true,
	"RegisterResourceOutputs": true, "SupportsFeature": true, "GetDeploymentInfo": true,
	"RegisterStackTransform": true, "RegisterStackInvokeTransform": true,
	"RegisterResourceHook": true, "RegisterErrorHook": true, "RegisterPackage": true,
	"SignalAndWaitForShutdown": true,
}

// rawFrame is one gRPC message, kept as its wire bytes.
type rawFrame struct{ data []byte }

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*rawFrame)
	if !ok {
		return nil, fmt.Errorf("monitor proxy: cannot marshal %T", v)
	}
	return f.data, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*rawFrame)
	if !ok {
		return fmt.Errorf("monitor proxy: cannot unmarshal into %T", v)
	}
	f.data = append([]byte(nil), data...)
	return nil
}

// "proto": the content type stays application/grpc+proto on both sides.
func (rawCodec) Name() string { return "proto" }

type monitorProxy struct {
	conn *grpc.ClientConn
}

// startMonitorProxy serves a proxy of the monitor at target until ctx ends;
// it returns the proxy's address.
func startMonitorProxy(ctx context.Context, target string) (string, error) {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", fmt.Errorf("could not connect to the engine's resource monitor: %w", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("could not start the resource monitor proxy: %w", err)
	}
	proxy := &monitorProxy{conn: conn}
	// Pulumi's host lifts gRPC's 4 MB message limit the same way (rpcutil's options).
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(proxy.forward),
		grpc.MaxRecvMsgSize(1<<30), grpc.MaxSendMsgSize(1<<30))
	go func() { _ = srv.Serve(listener) }()
	context.AfterFunc(ctx, func() {
		srv.Stop()
		conn.Close()
	})
	return listener.Addr().String(), nil
}

func (p *monitorProxy) forward(_ any, stream grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(stream)
	if !ok {
		return status.Error(codes.Internal, "monitor proxy: no method")
	}
	name, isMonitor := strings.CutPrefix(method, monitorService)
	if !isMonitor || !forwardedMonitorMethods[name] {
		return status.Errorf(codes.Unimplemented, "method %s not implemented", method)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	// Only the header Pulumi's host adds goes upstream, as there.
	ctx = metadata.NewOutgoingContext(ctx, metadata.MD{})
	if name == "RegisterResource" {
		ctx = metadata.AppendToOutgoingContext(ctx, "pulumi-runtime", "nodejs")
	}
	upstream, err := p.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method,
		grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(1<<30), grpc.MaxCallSendMsgSize(1<<30))
	if err != nil {
		return err
	}
	go func() {
		for {
			f := &rawFrame{}
			if err := stream.RecvMsg(f); err != nil {
				_ = upstream.CloseSend()
				return
			}
			if err := upstream.SendMsg(f); err != nil {
				return
			}
		}
	}()
	for {
		f := &rawFrame{}
		if err := upstream.RecvMsg(f); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := stream.SendMsg(f); err != nil {
			return err
		}
	}
}
