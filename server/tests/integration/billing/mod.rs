//! Billing (PAY1, PAY2) over HTTP: the sandbox provider end to end, Stripe webhooks (duplicates, out
//! of order, forged), the scheduled re-fetch, iyzico's callback against a stand-in iyzico, and the exact
//! requests the clients send to stand-ins for both REST APIs.

mod fixture;
mod iyzico;
mod limits;
mod no_card_data;
mod sandbox_flow;
mod sandbox_iyzico;
mod stand_in;
mod stripe_api;
mod webhooks;
