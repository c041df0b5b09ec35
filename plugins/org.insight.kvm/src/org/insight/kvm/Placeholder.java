package org.insight.kvm;
final class Placeholder {}
