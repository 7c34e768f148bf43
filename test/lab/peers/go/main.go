// A Go crypto/tls server for the mtls-doctor lab: RequireAndVerifyClientCert against a CA file, as proxyless
// gRPC, SPIRE and most Go services configure mTLS. It prints "LISTEN <port>" once listening, answers each
// request with a short HTTP 200 and exits when its standard input closes.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cert := flag.String("cert", "", "certificate chain (PEM, leaf first)")
	key := flag.String("key", "", "private key (PEM)")
	ca := flag.String("ca", "", "client CAs (PEM); with it a client certificate is required and verified")
	version := flag.String("version", "", "1.2 or 1.3 only (default: both)")
	alpn := flag.String("alpn", "", "comma-separated ALPN protocols the server accepts")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopeer:", err)
		os.Exit(1)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	switch *version {
	case "1.2":
		cfg.MaxVersion = tls.VersionTLS12
	case "1.3":
		cfg.MinVersion = tls.VersionTLS13
	}
	if *ca != "" {
		pemBytes, err := os.ReadFile(*ca)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gopeer:", err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			fmt.Fprintln(os.Stderr, "gopeer: no certificates in", *ca)
			os.Exit(1)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	ln, err := tls.Listen("tcp", *addr, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopeer:", err)
		os.Exit(1)
	}
	fmt.Printf("LISTEN %d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go serve(c.(*tls.Conn))
	}
}

func serve(c *tls.Conn) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		fmt.Fprintln(os.Stderr, "handshake:", err)
		return
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			// In TLS 1.3 the client certificate is verified when the client's Finished arrives, which the
			// first read processes: a rejected certificate shows here.
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "read:", err)
			}
			return
		}
		if line == "\r\n" || line == "\n" {
			break
		}
	}
	c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n"))
}
