package main

import "github.com/kycd/kycd/webhook"

// webhookPolicy is the one outbound policy for registration checks (tools) and deliveries (jobs).
func (c *Config) webhookPolicy() webhook.Policy {
	return webhook.Policy{AllowHTTP: c.WebhookAllowHTTP, AllowPrivate: c.WebhookAllowPrivate,
		ConnectTimeout: c.WebhookConnectTimeout, Timeout: c.WebhookTimeout}
}
