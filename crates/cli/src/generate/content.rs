//! What generated tickets say: topics a real IT desk sees every week, each with the category
//! and group it belongs to, and the phrases of a conversation about it.

use frontline_domain::TicketType;

/// One kind of request: where it is filed, who works it, and how it is worded.
pub struct Topic {
    pub category: &'static str,
    pub group: &'static str,
    pub ticket_type: TicketType,
    pub subjects: &'static [&'static str],
    pub description: &'static str,
    /// How often it comes up relative to the others.
    pub weight: u32,
    pub tags: &'static [&'static str],
}

use TicketType::{Incident, Question, ServiceRequest};

pub const TOPICS: &[Topic] = &[
    Topic {
        category: "Network/VPN",
        group: "Network",
        ticket_type: Incident,
        subjects: &[
            "VPN drops every few minutes",
            "Cannot connect to VPN from home",
            "VPN connected but intranet does not load",
            "VPN client says certificate expired",
        ],
        description: "Since this morning the VPN disconnects every few minutes while I work from home. I restarted the laptop and the router, it still happens.",
        weight: 9,
        tags: &["vpn", "remote-work"],
    },
    Topic {
        category: "Network/Wi-Fi",
        group: "Network",
        ticket_type: Incident,
        subjects: &[
            "Wi-Fi in meeting room 4.12 is very slow",
            "Laptop does not see the office Wi-Fi",
            "Guest Wi-Fi password not working",
        ],
        description: "The wireless network keeps dropping in the meeting rooms on our floor; video calls freeze every few minutes.",
        weight: 6,
        tags: &["wifi"],
    },
    Topic {
        category: "Access/Password",
        group: "Service Desk",
        ticket_type: ServiceRequest,
        subjects: &[
            "Password reset needed",
            "Account locked after too many attempts",
            "Password expired while on holiday",
        ],
        description: "I cannot sign in any more: my account says it is locked. Could you please unlock it and let me set a new password?",
        weight: 14,
        tags: &["password"],
    },
    Topic {
        category: "Access/Permissions",
        group: "Identity & Access",
        ticket_type: ServiceRequest,
        subjects: &[
            "Need access to the Finance share",
            "Please add me to the Sales Teams channel",
            "Read access to the HR folder for new role",
            "Remove access of a colleague who left",
        ],
        description: "I joined a new team and need read and write access to their shared folder. My manager has approved this.",
        weight: 8,
        tags: &["access"],
    },
    Topic {
        category: "Access/New account",
        group: "Identity & Access",
        ticket_type: ServiceRequest,
        subjects: &[
            "New starter on Monday needs an account",
            "Create mailbox for contractor",
            "Onboarding: laptop and accounts for new hire",
        ],
        description: "A new colleague starts on Monday. Please create an account, a mailbox and add them to the team distribution list.",
        weight: 4,
        tags: &["onboarding"],
    },
    Topic {
        category: "Software/Email",
        group: "Applications",
        ticket_type: Incident,
        subjects: &[
            "Outlook keeps asking for my password",
            "Emails stuck in the outbox",
            "Shared mailbox not showing in Outlook",
            "Calendar invites arrive twice",
        ],
        description: "Outlook prompts for my password every hour since the update yesterday, and mail only syncs after I type it again.",
        weight: 10,
        tags: &["outlook"],
    },
    Topic {
        category: "Software/Office",
        group: "Applications",
        ticket_type: Incident,
        subjects: &[
            "Excel crashes when opening large files",
            "Word document locked for editing by myself",
            "Teams camera not detected",
        ],
        description: "The application crashes as soon as I open the report we use every Monday. Other files open fine.",
        weight: 7,
        tags: &[],
    },
    Topic {
        category: "Software/Install",
        group: "Workplace",
        ticket_type: ServiceRequest,
        subjects: &[
            "Please install Visio",
            "Need Python and VS Code for data analysis",
            "Request licence for Adobe Acrobat Pro",
        ],
        description: "For my work on the new project I need this software installed on my laptop. Cost centre approval attached.",
        weight: 6,
        tags: &["software-request"],
    },
    Topic {
        category: "Hardware/Laptop",
        group: "Workplace",
        ticket_type: Incident,
        subjects: &[
            "Laptop battery drains in an hour",
            "Laptop will not boot after update",
            "Keyboard keys stopped working",
            "Blue screen when docking the laptop",
        ],
        description: "My laptop battery goes from full to empty in about an hour, even when idle. It is about three years old.",
        weight: 8,
        tags: &["laptop"],
    },
    Topic {
        category: "Hardware/Printer",
        group: "Workplace",
        ticket_type: Incident,
        subjects: &[
            "Printer on 3rd floor shows paper jam",
            "Cannot print to the colour printer",
            "Scanner does not send to email",
        ],
        description: "The printer near the kitchen says paper jam but there is no paper stuck anywhere. Nobody on the floor can print.",
        weight: 6,
        tags: &["printer"],
    },
    Topic {
        category: "Hardware/Monitor",
        group: "Workplace",
        ticket_type: ServiceRequest,
        subjects: &[
            "Second monitor for my desk",
            "Docking station does not drive both screens",
        ],
        description: "I would like a second monitor for my desk; the one I have is too small for the spreadsheets I work on.",
        weight: 3,
        tags: &[],
    },
    Topic {
        category: "Infrastructure/Server",
        group: "Infrastructure",
        ticket_type: Incident,
        subjects: &[
            "ERP is very slow for everyone",
            "Intranet returns error 502",
            "File server not reachable",
        ],
        description: "Since about 10 minutes the system is extremely slow for the whole team; saving an order takes over a minute.",
        weight: 3,
        tags: &["outage"],
    },
    Topic {
        category: "Infrastructure/Storage",
        group: "Infrastructure",
        ticket_type: ServiceRequest,
        subjects: &[
            "Shared drive is full",
            "Restore a deleted folder from backup",
        ],
        description: "The team share reports that it is full and we cannot save files. Could the quota be raised or old data archived?",
        weight: 3,
        tags: &["storage"],
    },
    Topic {
        category: "Software/Email",
        group: "Service Desk",
        ticket_type: Question,
        subjects: &[
            "How do I set an out-of-office reply?",
            "How can I share my calendar with my assistant?",
            "Where do I find the company signature template?",
        ],
        description: "Quick question: I could not find this in the intranet guides. Could you tell me how to do it?",
        weight: 5,
        tags: &["how-to"],
    },
];

pub const AGENT_REPLIES: &[&str] = &[
    "Thanks for reporting this, I'm looking into it now.",
    "Could you send me a screenshot of the error message and the time it happened?",
    "I have reset it on our side. Could you please try again and let me know if it works?",
    "We are aware of the issue and working on it; I will update you within the hour.",
    "Could you restart the device once and tell me whether the problem persists?",
    "I've scheduled a technician to come by your desk this afternoon.",
    "The change is done. It can take up to 15 minutes to become active.",
];

pub const REQUESTER_REPLIES: &[&str] = &[
    "Thanks, here is the screenshot you asked for.",
    "I tried again and it still does not work.",
    "It works now, thank you very much!",
    "I restarted it twice, same problem.",
    "I'm in the office until 5 pm, feel free to call me.",
];

pub const INTERNAL_NOTES: &[&str] = &[
    "Checked the logs: the same error shows for three other users on that site.",
    "Escalating to tier 2, this looks like the known issue with the last client update.",
    "Account was locked by a stale session on an old phone.",
    "Waiting for the vendor's answer on case 4471.",
    "Reproduced on a test machine; workaround is to clear the cached credentials.",
];

pub const RESOLUTIONS: &[&str] = &[
    "This is fixed now. I'm resolving the ticket; just reply if anything comes back.",
    "Resolved: the configuration was corrected and you confirmed it works.",
    "Access has been granted. Resolving this request.",
    "Replaced the faulty part. Resolving the ticket.",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe",
];

pub const LAST_NAMES: &[&str] = &[
    "Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Varga", "Weber", "Yilmaz",
];

/// (name, email domain): the client companies the desk serves.
pub const ORGANIZATIONS: &[(&str, &str)] = &[
    ("Northwind Traders", "northwind.example"),
    ("Contoso", "contoso.example"),
    ("Fabrikam", "fabrikam.example"),
    ("Tailspin Toys", "tailspin.example"),
];

/// The agent groups: tier 1 first, then the specialist teams.
pub const GROUPS: &[(&str, &str)] = &[
    ("Service Desk", "Tier 1: first contact for every request"),
    ("Network", "Tier 2: VPN, Wi-Fi, firewall"),
    (
        "Workplace",
        "Tier 2: laptops, printers, peripherals, software installs",
    ),
    (
        "Identity & Access",
        "Tier 2: accounts, permissions, directory",
    ),
    (
        "Applications",
        "Tier 2: email, office suite, business applications",
    ),
    ("Infrastructure", "Tier 3: servers, storage, backups"),
];
