//! What one million wizard sessions cost: Lambda (arm64) duration and requests, HTTP API
//! requests, and DynamoDB on-demand request units, at the prices below.

/// A wizard session as the frontend makes it: one create, autosaves as fields are typed, a few
/// reads (page loads), and the delete once the project is made.
pub const AUTOSAVES_PER_SESSION: u64 = 24;
pub const READS_PER_SESSION: u64 = 3;

/// List prices of one region in US dollars, without free tiers, written down on `read_on` from
/// `sources` (which say how old each source is).
#[derive(Clone, Copy, Debug)]
pub struct Prices {
    pub region: &'static str,
    pub read_on: &'static str,
    pub lambda_arm_per_gb_second: f64,
    pub lambda_per_million_requests: f64,
    pub http_api_per_million_requests: f64,
    pub dynamodb_per_million_write_units: f64,
    pub dynamodb_per_million_read_units: f64,
    pub sources: &'static [&'static str],
}

/// What the power-tuning tables are priced at.
pub const US_EAST_1: Prices = Prices {
    region: "us-east-1",
    read_on: "2026-11-30",
    lambda_arm_per_gb_second: 0.000_013_333_4,
    lambda_per_million_requests: 0.20,
    http_api_per_million_requests: 1.00,
    dynamodb_per_million_write_units: 0.625,
    dynamodb_per_million_read_units: 0.125,
    sources: &[
        "Lambda arm64 duration (first tier) and requests, DynamoDB on-demand request units: the AWS \
         Price List for us-east-1 (`aws pricing get-products --service-code AWSLambda|AmazonDynamoDB \
         --region us-east-1`), as quoted in a copy dated 2026-09-06; arm64 duration is 80% of \
         x86's, https://aws.amazon.com/blogs/aws/aws-lambda-functions-powered-by-aws-graviton2-processor-run-your-functions-on-arm-and-get-up-to-34-better-price-performance/",
        "HTTP API, first 300 million requests a month, metered in 512 KB increments: \
         https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html",
    ],
};

/// Europe (Ireland), where the wizard's cost target is set.
pub const EU_WEST_1: Prices = Prices {
    region: "eu-west-1",
    read_on: "2026-12-07",
    lambda_arm_per_gb_second: 0.000_013_333_4,
    lambda_per_million_requests: 0.20,
    http_api_per_million_requests: 1.11,
    dynamodb_per_million_write_units: 0.705,
    dynamodb_per_million_read_units: 0.1415,
    sources: &[
        "The AWS Price List offer files for eu-west-1, as quoted in copies dated 2026-10-02 and \
         2026-10-04: usage types EU-Lambda-GB-Second-ARM (first tier) and EU-Request-ARM, \
         https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/20261001184746/eu-west-1/index.json; \
         EU-ApiGatewayHttpRequest (first 300 million a month), \
         https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonApiGateway/20261002231501/eu-west-1/index.json; \
         EU-WriteRequestUnits and EU-ReadRequestUnits, \
         https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonDynamoDB/20260911124422/eu-west-1/index.json",
    ],
};

/// How every region bills: the same rules, other prices.
pub const BILLING_RULES: &[&str] = &[
    "Lambda billing per 1 ms, init included for custom runtimes: https://aws.amazon.com/lambda/pricing/, \
     https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase",
    "Request units (1 KB per write unit, the larger of the item before and after; 4 KB per \
     strongly consistent read unit; TTL deletes free): \
     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html, \
     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html",
];

/// What one verb costs per invocation, measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerbCost {
    /// Mean billed duration: each invocation's duration rounded up to a whole millisecond.
    pub billed_ms: f64,
    pub write_units: f64,
    pub read_units: f64,
}

/// The verbs of one session, measured at one memory size.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionVerbs {
    pub create: VerbCost,
    pub autosave: VerbCost,
    pub read: VerbCost,
    pub delete: VerbCost,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionCost {
    pub lambda: f64,
    pub http_api: f64,
    pub dynamodb: f64,
}

impl SessionCost {
    pub fn total(&self) -> f64 {
        self.lambda + self.http_api + self.dynamodb
    }
}

/// The cost of one million sessions at `memory_mb`, at us-east-1 prices.
pub fn per_million_sessions(memory_mb: u32, verbs: &SessionVerbs) -> SessionCost {
    let counted = [
        (1.0, verbs.create),
        (AUTOSAVES_PER_SESSION as f64, verbs.autosave),
        (READS_PER_SESSION as f64, verbs.read),
        (1.0, verbs.delete),
    ];
    let requests: f64 = counted.iter().map(|(n, _)| n).sum();
    per_million(&US_EAST_1, memory_mb, &counted, requests)
}

/// The cost of one million of something made of `invocations` (how many of each, and what
/// each costs) and `api_calls` HTTP API requests (CORS preflights among them, where counted).
pub fn per_million(
    prices: &Prices,
    memory_mb: u32,
    invocations: &[(f64, VerbCost)],
    api_calls: f64,
) -> SessionCost {
    let requests: f64 = invocations.iter().map(|(n, _)| n).sum();
    let gb_seconds: f64 = invocations
        .iter()
        .map(|(n, v)| n * v.billed_ms / 1000.0 * f64::from(memory_mb) / 1024.0)
        .sum();
    let write_units: f64 = invocations.iter().map(|(n, v)| n * v.write_units).sum();
    let read_units: f64 = invocations.iter().map(|(n, v)| n * v.read_units).sum();
    let million = 1e6;
    SessionCost {
        lambda: million
            * (gb_seconds * prices.lambda_arm_per_gb_second
                + requests * prices.lambda_per_million_requests / 1e6),
        http_api: million * api_calls * prices.http_api_per_million_requests / 1e6,
        dynamodb: million
            * (write_units * prices.dynamodb_per_million_write_units / 1e6
                + read_units * prices.dynamodb_per_million_read_units / 1e6),
    }
}

/// Billed duration of one invocation: rounded up to the millisecond.
pub fn billed_ms(duration_ms: f64) -> f64 {
    duration_ms.ceil().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbs(billed_ms: f64) -> SessionVerbs {
        let verb = |w, r| VerbCost {
            billed_ms,
            write_units: w,
            read_units: r,
        };
        SessionVerbs {
            create: verb(1.0, 0.0),
            autosave: verb(1.0, 0.0),
            read: verb(0.0, 1.0),
            delete: verb(1.0, 0.0),
        }
    }

    #[test]
    fn a_million_sessions_of_29_requests_cost_their_requests_units_and_gb_seconds() {
        let cost = per_million_sessions(1024, &verbs(1.0));
        let requests = 1.0 + AUTOSAVES_PER_SESSION as f64 + READS_PER_SESSION as f64 + 1.0;
        assert!((cost.http_api - requests).abs() < 1e-9);
        // 29 ms of 1 GB per session: 29,000 GB-s per million, plus 29 M Lambda requests.
        let lambda = requests * 1000.0 * US_EAST_1.lambda_arm_per_gb_second + requests * 0.20;
        assert!((cost.lambda - lambda).abs() < 1e-9, "{cost:?}");
        let dynamodb =
            (requests - READS_PER_SESSION as f64) * 0.625 + READS_PER_SESSION as f64 * 0.125;
        assert!((cost.dynamodb - dynamodb).abs() < 1e-9, "{cost:?}");
    }

    #[test]
    fn duration_cost_scales_with_memory_at_equal_billed_time() {
        let small = per_million_sessions(128, &verbs(2.0));
        let large = per_million_sessions(1024, &verbs(2.0));
        let duration = |c: SessionCost| c.lambda - 29.0 * 0.20;
        assert!((duration(large) / duration(small) - 8.0).abs() < 1e-9);
        assert_eq!(billed_ms(0.2), 1.0);
        assert_eq!(billed_ms(3.01), 4.0);
    }
}
