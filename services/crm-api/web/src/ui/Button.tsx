import type { ButtonHTMLAttributes } from "react";

type Variant = "default" | "primary" | "danger" | "ghost";

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  small?: boolean;
}

export function Button({ variant = "default", small = false, className, type, ...rest }: Props) {
  const classes = ["btn"];
  if (variant !== "default") classes.push(`btn--${variant}`);
  if (small) classes.push("btn--small");
  if (className) classes.push(className);
  return <button type={type ?? "button"} className={classes.join(" ")} {...rest} />;
}
