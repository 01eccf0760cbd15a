# Reference values for parentgroup.analysis.controlled (tests/test_controlled.py).
# Run from this folder:  Rscript controlled.R > R_output.txt
# Writes R_values.csv (the values the test compares, 10 significant digits) and prints them.
# R 4.2.2 with lme4, nlme and sandwich from Debian bookworm (r-cran-lme4, r-cran-nlme,
# r-cran-sandwich).
suppressPackageStartupMessages({library(sandwich); library(lme4); library(nlme)})
options(digits = 10)
d <- read.csv("fixture.csv")
cat(R.version.string, "| lme4", format(packageVersion("lme4")), "| nlme",
    format(packageVersion("nlme")), "| sandwich", format(packageVersion("sandwich")), "\n")
values <- list()

# 1. ANCOVA: post ~ pre + treated on complete pairs, HC3 standard errors
cc <- d[complete.cases(d), ]
fit <- lm(post ~ pre + treated, data = cc)
V <- vcovHC(fit, type = "HC3")
b <- coef(fit)[["treated"]]; se <- sqrt(V["treated", "treated"]); df <- fit$df.residual
q <- qt(0.975, df)
values$ancova_difference <- b; values$ancova_se_hc3 <- se
values$ancova_ci_low <- b - q * se; values$ancova_ci_high <- b + q * se
values$ancova_t <- b / se; values$ancova_df <- df
values$ancova_p <- 2 * pt(abs(b / se), df, lower.tail = FALSE)
values$ancova_pre_slope <- coef(fit)[["pre"]]
# HC3 by hand as a check on sandwich: (X'X)^-1 X' diag(e^2/(1-h)^2) X (X'X)^-1
X <- model.matrix(fit); e <- residuals(fit); h <- hatvalues(fit)
B <- solve(crossprod(X))
V_hand <- B %*% t(X) %*% diag(e^2 / (1 - h)^2) %*% X %*% B
stopifnot(abs(V_hand[3, 3] - V["treated", "treated"]) < 1e-12)

# 2. Morris (2008) d_ppc2 with the eq. 25 variance (rho: pooled within-arm correlation)
tt <- cc[cc$treated == 1, ]; cg <- cc[cc$treated == 0, ]
nT <- nrow(tt); nC <- nrow(cg); N <- nT + nC
sdp <- sqrt(((nT - 1) * var(tt$pre) + (nC - 1) * var(cg$pre)) / (N - 2))
cp <- 1 - 3 / (4 * (N - 2) - 1)
dppc2 <- cp * ((mean(tt$post) - mean(tt$pre)) - (mean(cg$post) - mean(cg$pre))) / sdp
ss <- function(x, y) sum((x - mean(x)) * (y - mean(y)))
rho <- (ss(tt$pre, tt$post) + ss(cg$pre, cg$post)) /
  sqrt((ss(tt$pre, tt$pre) + ss(cg$pre, cg$pre)) * (ss(tt$post, tt$post) + ss(cg$post, cg$post)))
k <- N / (nT * nC)
v <- 2 * cp^2 * (1 - rho) * k * ((N - 2) / (N - 4)) * (1 + dppc2^2 / (2 * (1 - rho) * k)) - dppc2^2
values$d_ppc2 <- dppc2; values$d_ppc2_se <- sqrt(v)
values$sd_pre_pooled <- sdp; values$r_pre_post_pooled <- rho

# 3. Linear mixed model: score ~ time * treated + (1 | pseudonym), REML, every available score
long <- rbind(data.frame(pseudonym = d$pseudonym, treated = d$treated, time = 0, score = d$pre),
              data.frame(pseudonym = d$pseudonym, treated = d$treated, time = 1, score = d$post))
long <- long[!is.na(long$score), ]
m <- lmer(score ~ time * treated + (1 | pseudonym), data = long, REML = TRUE)
values$lmer_interaction <- fixef(m)[["time:treated"]]
values$lmer_se <- sqrt(vcov(m)["time:treated", "time:treated"])
vc <- as.data.frame(VarCorr(m))
values$lmer_parent_variance <- vc$vcov[vc$grp == "pseudonym"]
values$lmer_residual_variance <- vc$vcov[vc$grp == "Residual"]
l <- lme(score ~ time * treated, random = ~ 1 | pseudonym, data = long, method = "REML")
values$lme_interaction <- fixef(l)[["time:treated"]]
values$lme_se <- sqrt(vcov(l)["time:treated", "time:treated"])
values$n_observations <- nrow(long)

print(summary(fit)$coefficients); print(V)
print(summary(m)$coefficients); print(VarCorr(m))
out <- data.frame(name = names(values), value = formatC(unlist(values), digits = 10, format = "g"))
write.csv(out, "R_values.csv", row.names = FALSE, quote = FALSE)
print(out, row.names = FALSE)

# 4. One-stage model across sites: score ~ time + (1 | site/pseudonym), REML (multisite.csv)
ms <- read.csv("multisite.csv")
ms$parent <- paste(ms$site, ms$pseudonym, sep = ":")
m2 <- lmer(score ~ time + (1 | site) + (1 | parent), data = ms, REML = TRUE)
vc2 <- as.data.frame(VarCorr(m2))
ml <- list(
  one_stage_estimate = fixef(m2)[["time"]],
  one_stage_se = sqrt(vcov(m2)["time", "time"]),
  one_stage_site_variance = vc2$vcov[vc2$grp == "site"],
  one_stage_parent_variance = vc2$vcov[vc2$grp == "parent"],
  one_stage_residual_variance = vc2$vcov[vc2$grp == "Residual"],
  one_stage_n_observations = nrow(ms))
print(summary(m2)$coefficients); print(VarCorr(m2))
out2 <- data.frame(name = names(ml), value = formatC(unlist(ml), digits = 10, format = "g"))
write.csv(rbind(out, out2), "R_values.csv", row.names = FALSE, quote = FALSE)
print(out2, row.names = FALSE)

# 5. The between-arm effect across sites: score ~ time * treated + (1 | site) + (1 | parent),
# REML (multisite_arms.csv; parentgroup.analysis.multilevel.one_stage_arm_model)
ma <- read.csv("multisite_arms.csv")
ma$parent <- paste(ma$site, ma$pseudonym, sep = ":")
m3 <- lmer(score ~ time * treated + (1 | site) + (1 | parent), data = ma, REML = TRUE)
vc3 <- as.data.frame(VarCorr(m3))
ar <- list(
  arms_interaction = fixef(m3)[["time:treated"]],
  arms_interaction_se = sqrt(vcov(m3)["time:treated", "time:treated"]),
  arms_site_variance = vc3$vcov[vc3$grp == "site"],
  arms_parent_variance = vc3$vcov[vc3$grp == "parent"],
  arms_residual_variance = vc3$vcov[vc3$grp == "Residual"],
  arms_n_observations = nrow(ma))
print(summary(m3)$coefficients); print(VarCorr(m3))
out3 <- data.frame(name = names(ar), value = formatC(unlist(ar), digits = 10, format = "g"))
write.csv(rbind(out, out2, out3), "R_values.csv", row.names = FALSE, quote = FALSE)
print(out3, row.names = FALSE)
