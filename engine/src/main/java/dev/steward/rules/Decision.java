package dev.steward.rules;

/**
 * A decision about one change and what made it.
 *
 * @param reason why, in the words of the mastership row or the rule ("ERP manages fiscal risk
 *               and accounting")
 * @param by     what decided: a mastership row ({@code rules/mastership.yaml:17}) or a rule
 *               ({@code rules/customer-validation.drl: "Email must contain @"})
 */
public record Decision(Outcome outcome, String reason, String by) {
}
