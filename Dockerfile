# The owui-mcp container image, built from source:
#
#   docker build --build-arg VERSION=1.2.3 -t owui-mcp .
#
# Claude Desktop and other stdio clients (the default transport):
#   docker run -i --rm -e OWUI_SERVER -e OWUI_API_KEY owui-mcp
# Hosted, streamable HTTP at /mcp:
#   docker run -p 8765:8765 -e OWUI_SERVER -e OWUI_MCP_AUTH_TOKEN owui-mcp \
#     --transport http --addr 0.0.0.0:8765
#
# Releases build the same image from GoReleaser's binaries (Dockerfile.release).

ARG GO_VERSION=1.26

# Fully qualified, so that podman and buildah need no short-name alias.
FROM docker.io/library/golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Static (no libc in the image), without local paths, version stamped in.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /rootfs/owui-mcp .
# Everything else the final image holds: CA certificates for an https Open
# WebUI, and a passwd/group entry for the unprivileged user it runs as.
RUN mkdir -p /rootfs/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'nonroot:x:65532:' > /rootfs/etc/group

FROM scratch
COPY --from=build /rootfs/ /
LABEL io.modelcontextprotocol.server.name="io.github.owui-mcp/owui-mcp" \
      org.opencontainers.image.title="owui-mcp" \
      org.opencontainers.image.source="https://github.com/owui-mcp/owui-mcp"
USER 65532:65532
# Only used with --transport http or sse --addr 0.0.0.0:8765; stdio needs no port.
EXPOSE 8765
ENTRYPOINT ["/owui-mcp"]
