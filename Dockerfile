# kycd in a container: the same scripts/setup.sh as on a machine, on Debian 12.
FROM golang:1.26-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV KYCD_CACHE_DIR=/opt/kycd/cache
RUN bash scripts/setup.sh && cp bin/kycd /usr/local/bin/kycd

FROM debian:bookworm-slim
# poppler-utils and the language models: proof of address (checks/address, scripts/setup/address.sh).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tesseract-ocr tesseract-ocr-eng libtesseract5 \
    poppler-utils tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-pol \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/kycd kycd && mkdir -p /var/lib/kycd && chown kycd /var/lib/kycd
COPY --from=build /usr/local/bin/kycd /usr/local/bin/kycd
COPY --from=build /opt/kycd/cache /opt/kycd/cache
ENV KYCD_CACHE_DIR=/opt/kycd/cache KYCD_DATA_DIR=/var/lib/kycd KYCD_ADDR=0.0.0.0:8080
USER kycd
EXPOSE 8080
ENTRYPOINT ["kycd"]
CMD ["serve"]
